import { alertRule, LIVE, percent, quantile, rateRatio, secondsText, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "auth";

/** Login failures, password guessing and slow logins; the security team owns the response. */
export const authRules: RuleGroupBuilder = (t) => {
  const { failureRatio, failureFor, bruteForceFailuresPerSecond, bruteForceFor, p95LoginSeconds, loginLatencyFor } = t.auth;
  return {
    name: "platform-auth",
    rules: [
      alertRule(RUNBOOK, {
        alert: "AuthHighFailureRate",
        expr: `${rateRatio("auth_attempts_total", `result="failure"`, ["namespace", "service"], "5m", LIVE)}\n> ${failureRatio}`,
        for: failureFor,
        severity: "warning",
        team: "security",
        component: "auth",
        identity: ["namespace", "service"],
        summary: "Many authentication attempts fail.",
        description: `{{ $value | humanizePercentage }} of the authentication attempts on {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(failureRatio)} for ${failureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "AuthBruteForceSuspected",
        // A short window: guessing is bursty and the response (blocking a source) should not wait.
        expr: `${sumRate("auth_attempts_total", ["namespace", "service"], "2m", LIVE, `result="failure"`)} > ${bruteForceFailuresPerSecond}`,
        for: bruteForceFor,
        severity: "critical",
        team: "security",
        component: "auth",
        identity: ["namespace", "service"],
        summary: "Failed logins arrive fast enough to be a brute-force attack.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} rejects {{ $value | humanize }} logins per second, above ${bruteForceFailuresPerSecond}/s for ${bruteForceFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "AuthSlowLogins",
        expr: `${quantile(0.95, "auth_login_duration_seconds", ["namespace", "service"], "5m", p95LoginSeconds, "auth.p95LoginSeconds")}\n> ${p95LoginSeconds}`,
        for: loginLatencyFor,
        severity: "warning",
        team: "security",
        component: "auth",
        identity: ["namespace", "service"],
        summary: "Logins take too long.",
        description: `The 95th percentile login time of {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95LoginSeconds)} for ${loginLatencyFor}.`,
      }),
    ],
  };
};
