import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { SLO_RECORDS } from "../alerting/rules/slo-records";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, tablePanel, timeseriesPanel, traceTablePanel } from "./panels";
import { medianAndP95, quantile, rateRatio, sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService, tracesDatasourceVariable } from "./variables";

/**
 * TraceQL for the traces of the selected apps: the OTEL_SERVICE_NAME and k8s.namespace.name every app
 * gets (components/apps/telemetry-env.ts) are the dashboard's service and namespace. "All" is `.*`.
 */
export const APP_TRACES_QUERY = '{ resource.service.name =~ "$service" && resource.k8s.namespace.name =~ "$namespace" }';

/** The SLO series of the selected apps (recorded only for apps that declare SLOs). */
const SLO = 'namespace=~"$namespace", service=~"$service"';

/** Burn rate over a window: the window's error ratio against the SLO's error budget. */
const burnRate = (window: "1h" | "6h") =>
  `${SLO_RECORDS.errorRatio(window)}{${SLO}}\n/ on (namespace, service, slo)\n(1 - ${SLO_RECORDS.objective}{${SLO}})`;

/**
 * HTTP traffic of the applications: the four golden signals per service and route, red where alerts fire;
 * and, for apps with SLOs, how much error budget is left and how fast it burns.
 */
export function applicationDashboard(t: AlertThresholds): Dashboard {
  const errors = 'status=~"5.."';
  return platformDashboard({
    name: "application",
    title: "Platform / Application (HTTP)",
    description: "Request rate, errors, latency and saturation of every application's HTTP server.",
    variables: [...namespaceAndService("http_requests_total"), tracesDatasourceVariable()],
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({ title: "Request rate", description: "Requests per second across the selection.", unit: "reqps", queries: [{ expr: sumRate("http_requests_total", S) }] }),
          statPanel({
            title: "Error ratio, worst service (5xx)",
            description: "Share of requests answered with a 5xx status, of the service with the highest share.",
            unit: "percentunit",
            queries: [{ expr: `max(${rateRatio("http_requests_total", S, errors, "service")})` }],
            steps: redFrom(t.http.errorRatio),
          }),
          statPanel({
            title: "Latency p95, worst service",
            description: "95th percentile of request duration, of the slowest service.",
            unit: "s",
            queries: [{ expr: `max(${quantile(0.95, "http_request_duration_seconds", S, "service")})` }],
            steps: redFrom(t.http.p95LatencySeconds),
          }),
          statPanel({ title: "In progress", description: "Requests being handled right now.", unit: "short", queries: [{ expr: `sum(http_requests_in_progress{${S}})` }] }),
        ],
      },
      {
        title: "Error budget (apps with SLOs)",
        panels: [
          statPanel({
            title: "Error budget remaining",
            description:
              "Share of each SLO's error budget not yet spent over its window (28 or 30 days): 100 % untouched, 0 % spent, below 0 overspent. Apps without SLOs have none.",
            unit: "percentunit",
            width: 8,
            queries: [{ expr: `${SLO_RECORDS.budgetRemaining}{${SLO}}`, legend: "{{service}} {{slo}}" }],
            steps: [["red"], [0, "orange"], [0.25, "green"]],
          }),
          timeseriesPanel({
            title: "Burn rate, 1h and 6h",
            description:
              "How many times faster than the window allows each SLO spends its budget. Pages at 14.4× (1h, with 5m) and 6× (6h, with 30m); 1× spends exactly the budget over the window.",
            unit: "short",
            width: 16,
            queries: [
              { expr: burnRate("1h"), legend: "{{service}} {{slo}} 1h" },
              { expr: burnRate("6h"), legend: "{{service}} {{slo}} 6h" },
            ],
          }),
          timeseriesPanel({
            title: "Error budget remaining over time",
            description: "The remaining budget of each SLO over the dashboard's range: a slope down is a burn, a slope up old errors leaving the window.",
            unit: "percentunit",
            width: 24,
            queries: [{ expr: `${SLO_RECORDS.budgetRemaining}{${SLO}}`, legend: "{{service}} {{slo}}" }],
          }),
        ],
      },
      {
        title: "Traffic",
        panels: [
          timeseriesPanel({
            title: "Requests by service",
            description: "Requests per second, per service.",
            unit: "reqps",
            queries: [{ expr: sumRate("http_requests_total", S, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Requests by status",
            description: "Requests per second, per HTTP status code.",
            unit: "reqps",
            stacked: true,
            queries: [{ expr: sumRate("http_requests_total", S, "status"), legend: "{{status}}" }],
          }),
        ],
      },
      {
        title: "Errors",
        panels: [
          timeseriesPanel({
            title: "Error ratio by service (5xx)",
            description: "Share of each service's requests answered with a 5xx status.",
            unit: "percentunit",
            queries: [{ expr: rateRatio("http_requests_total", S, errors, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Rate-limited requests",
            description: "Requests the rate limiter rejected, per service and route.",
            unit: "reqps",
            queries: [{ expr: sumRate("rate_limit_exceeded_total", S, "service, route"), legend: "{{service}} {{route}}" }],
          }),
          tablePanel({
            title: "Routes with the most 5xx",
            description: "The ten routes answering the most 5xx per second, over the last 5 minutes.",
            unit: "reqps",
            queries: [{ expr: `topk(10, ${sumRate("http_requests_total", `${S}, ${errors}`, "service, route", "5m")} > 0)` }],
          }),
        ],
      },
      {
        title: "Latency and saturation",
        panels: [
          timeseriesPanel({
            title: "Latency by service",
            description: "Median, 95th and 99th percentile of request duration, per service.",
            unit: "s",
            queries: [
              ...medianAndP95("http_request_duration_seconds", S, "service"),
              { expr: quantile(0.99, "http_request_duration_seconds", S, "service"), legend: "{{service}} p99" },
            ],
          }),
          timeseriesPanel({
            title: "Slowest routes (p95)",
            description: "The ten routes with the highest 95th percentile duration.",
            unit: "s",
            queries: [{ expr: `topk(10, ${quantile(0.95, "http_request_duration_seconds", S, "service, route")})`, legend: "{{service}} {{route}}" }],
          }),
          timeseriesPanel({
            title: "Requests in progress by service",
            description: "Concurrent requests; a steady climb means handlers are waiting on something.",
            unit: "short",
            width: 24,
            queries: [{ expr: `sum by (service) (http_requests_in_progress{${S}})`, legend: "{{service}}" }],
          }),
        ],
      },
      {
        title: "Traces",
        panels: [
          traceTablePanel({
            title: "Recent traces",
            description:
              "The latest sampled traces of the selected services (the stack's traceSamplingPercent of new requests). Open one for its spans, and from a span its log lines.",
            traceql: APP_TRACES_QUERY,
            limit: 20,
          }),
        ],
      },
    ],
  });
}
