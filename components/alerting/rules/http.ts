import { alertRule, assertMeasurable, percent, secondsText } from "./promql";
import { HTTP_RECORDS } from "./recording";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "http";

/** Request errors, latency and traffic per service, read from the recorded HTTP aggregates. */
export const httpRules: RuleGroupBuilder = (t) => {
  const { errorRatio, errorFor, p95LatencySeconds, latencyFor, requestsPerSecond, requestRateFor } = t.http;
  // The alert reads the recorded p95; the threshold must still be one the histogram can measure.
  assertMeasurable("http_request_duration_seconds", p95LatencySeconds, "http.p95LatencySeconds");
  return {
    name: "platform-http",
    rules: [
      alertRule(RUNBOOK, {
        alert: "HttpHighErrorRate",
        expr: `${HTTP_RECORDS.errorRatio} > ${errorRatio}`,
        for: errorFor,
        severity: "critical",
        team: "application",
        component: "http",
        summary: "A service answers too many requests with a server error.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with a 5xx status, above ${percent(errorRatio)} for ${errorFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "HttpSlowResponses",
        expr: `${HTTP_RECORDS.latencyP95} > ${p95LatencySeconds}`,
        for: latencyFor,
        severity: "warning",
        team: "application",
        component: "http",
        summary: "A service responds slowly.",
        description: `The 95th percentile latency of {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95LatencySeconds)} for ${latencyFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "HttpHighRequestRate",
        expr: `${HTTP_RECORDS.requestRate} > ${requestsPerSecond}`,
        for: requestRateFor,
        severity: "warning",
        team: "application",
        component: "http",
        summary: "A service receives unusually many requests.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} receives {{ $value | humanize }} requests per second, above ${requestsPerSecond}/s for ${requestRateFor}.`,
      }),
    ],
  };
};
