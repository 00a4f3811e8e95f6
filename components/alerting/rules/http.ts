import { alertRule, assertMeasurable, percent, secondsText, selector, unlessFiring } from "./promql";
import { HTTP_RECORDS } from "./recording";
import { SLO_RECORDS } from "./slo-records";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "http";
const SERVICE = ["namespace", "service"];
const ON_SERVICE = `on (${SERVICE.join(", ")})`;

/** `unless` the service declares this SLO: its burn-rate alerts speak for it instead (slo.ts). */
const unlessSlo = (slo: "availability" | "latency") => `unless ${ON_SERVICE}\n${selector(SLO_RECORDS.objective, `slo="${slo}"`)}`;

/**
 * Request errors, latency and traffic per service, read from the recorded HTTP aggregates. The error
 * ratio pages only with enough traffic to mean something: one failed request a minute is a 100 % error
 * ratio, and a ticket, not a page.
 */
export const httpRules: RuleGroupBuilder = (t) => {
  const { errorRatio, errorFor, minRequestsPerSecond, p95LatencySeconds, latencyFor, requestsPerSecond, requestRateFor } = t.http;
  // The alert reads the recorded p95; the threshold must still be one the histogram can measure.
  assertMeasurable("http_request_duration_seconds", p95LatencySeconds, "http.p95LatencySeconds");
  const errors = `${HTTP_RECORDS.errorRatio} > ${errorRatio}`;
  return {
    name: "platform-http",
    rules: [
      alertRule(RUNBOOK, {
        alert: "HttpHighErrorRate",
        expr: `${errors}\nand ${ON_SERVICE}\n${HTTP_RECORDS.requestRate} >= ${minRequestsPerSecond}\n${unlessSlo("availability")}`,
        for: errorFor,
        severity: "critical",
        team: "application",
        component: "http",
        identity: SERVICE,
        summary: "A service answers too many requests with a server error.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with a 5xx status, above ${percent(errorRatio)} for ${errorFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "HttpHighErrorRateLowTraffic",
        // Whenever the page does not fire, not whenever the traffic is below its minimum: a service whose traffic
        // hovers around the minimum crosses it every few minutes, each crossing restarted both rules' `for`, and
        // neither fired while its requests kept failing.
        expr: `${errors}\n${unlessFiring("HttpHighErrorRate", SERVICE)}\n${unlessSlo("availability")}`,
        for: errorFor,
        severity: "warning",
        team: "application",
        component: "http",
        identity: SERVICE,
        summary: "A service with little traffic answers many of its requests with a server error.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with a 5xx status, above ${percent(errorRatio)} for ${errorFor}, with too little traffic to page on: HttpHighErrorRate pages only with ${minRequestsPerSecond} requests per second or more all that time.`,
      }),
      alertRule(RUNBOOK, {
        alert: "HttpSlowResponses",
        expr: `${HTTP_RECORDS.latencyP95} > ${p95LatencySeconds}\n${unlessSlo("latency")}`,
        for: latencyFor,
        severity: "warning",
        team: "application",
        component: "http",
        identity: SERVICE,
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
        identity: SERVICE,
        summary: "A service receives unusually many requests.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} receives {{ $value | humanize }} requests per second, above ${requestsPerSecond}/s for ${requestRateFor}.`,
      }),
    ],
  };
};
