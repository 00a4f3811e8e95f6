import { alertRule, LIVE, percent, quantile, rateRatio, secondsText } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "connectors";

/** External data sources, per connector type: one failing source should not hide behind the others. */
export const connectorRules: RuleGroupBuilder = (t) => {
  const { failureRatio, failureFor, p95ResponseSeconds, responseFor } = t.connectors;
  const by = ["namespace", "service", "connector_type"];
  return {
    name: "platform-connectors",
    rules: [
      alertRule(RUNBOOK, {
        alert: "ConnectorHighFailureRate",
        expr: `${rateRatio("connector_requests_total", `status="error"`, by, "5m", LIVE)}\n> ${failureRatio}`,
        for: failureFor,
        severity: "warning",
        team: "data-engineering",
        component: "connector",
        identity: by,
        summary: "Many requests to an external data source fail.",
        description: `{{ $value | humanizePercentage }} of the {{ $labels.connector_type }} connector requests of {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(failureRatio)} for ${failureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ConnectorSlowResponses",
        expr: `${quantile(0.95, "connector_response_time_seconds", by, "5m", p95ResponseSeconds, "connectors.p95ResponseSeconds")}\n> ${p95ResponseSeconds}`,
        for: responseFor,
        severity: "warning",
        team: "data-engineering",
        component: "connector",
        identity: by,
        summary: "An external data source responds slowly.",
        description: `The 95th percentile response time of the {{ $labels.connector_type }} connector of {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95ResponseSeconds)} for ${responseFor}.`,
      }),
    ],
  };
};
