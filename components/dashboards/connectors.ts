import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, timeseriesPanel } from "./panels";
import { medianAndP95, quantile, rateRatio, sumRate } from "./promql";
import { APP_SELECTOR, labelVariable, namespaceAndService } from "./variables";

/** Requests to external data sources, per connector type: the part of a pipeline the platform does not control. */
export function connectorsDashboard(t: AlertThresholds): Dashboard {
  const S = `${APP_SELECTOR}, connector_type=~"$connector_type"`;
  return platformDashboard({
    name: "connectors",
    title: "Platform / Connectors",
    description: "Request rate, failures, response time and data volume of the connectors to external data sources.",
    variables: [
      ...namespaceAndService("connector_requests_total"),
      labelVariable("connector_type", "Connector type", 'connector_requests_total{namespace=~"$namespace", service=~"$service"}'),
    ],
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({ title: "Request rate", description: "Requests to external sources per second.", unit: "reqps", queries: [{ expr: sumRate("connector_requests_total", S) }] }),
          statPanel({
            title: "Failure ratio, worst connector",
            description: "Share of failed requests, of the service and connector type with the highest share.",
            unit: "percentunit",
            queries: [{ expr: `max(${rateRatio("connector_requests_total", S, 'status="error"', "service, connector_type")})` }],
            steps: redFrom(t.connectors.failureRatio),
          }),
          statPanel({
            title: "Response time p95, worst connector",
            description: "95th percentile response time, of the slowest service and connector type.",
            unit: "s",
            queries: [{ expr: `max(${quantile(0.95, "connector_response_time_seconds", S, "service, connector_type")})` }],
            steps: redFrom(t.connectors.p95ResponseSeconds),
          }),
          statPanel({ title: "Data fetched", description: "Bytes per second fetched from external sources.", unit: "Bps", queries: [{ expr: sumRate("data_fetched_bytes_total", S) }] }),
        ],
      },
      {
        title: "By connector type",
        panels: [
          timeseriesPanel({
            title: "Requests by status",
            description: "Requests per second, per connector type and outcome.",
            unit: "reqps",
            queries: [{ expr: sumRate("connector_requests_total", S, "connector_type, status"), legend: "{{connector_type}} {{status}}" }],
          }),
          timeseriesPanel({
            title: "Failure ratio",
            description: "Share of failed requests, per connector type.",
            unit: "percentunit",
            queries: [{ expr: rateRatio("connector_requests_total", S, 'status="error"', "connector_type"), legend: "{{connector_type}}" }],
          }),
          timeseriesPanel({
            title: "Response time",
            description: "Median and 95th percentile response time, per connector type.",
            unit: "s",
            queries: medianAndP95("connector_response_time_seconds", S, "connector_type"),
          }),
          timeseriesPanel({
            title: "Data fetched",
            description: "Bytes per second, per connector type.",
            unit: "Bps",
            queries: [{ expr: sumRate("data_fetched_bytes_total", S, "connector_type"), legend: "{{connector_type}}" }],
          }),
          timeseriesPanel({
            title: "Connectors configured",
            description: "Connectors defined, per type and status.",
            unit: "short",
            width: 24,
            queries: [{ expr: `sum by (connector_type, status) (connectors_configured{${S}})`, legend: "{{connector_type}} {{status}}" }],
          }),
        ],
      },
    ],
  });
}
