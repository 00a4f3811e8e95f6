import { alertRule, LIVE, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "rate-limiting";

/** Requests the rate limiter rejects: abuse or a misbehaving client, so the security team looks first. */
export const rateLimitingRules: RuleGroupBuilder = (t) => {
  const { exceededPerSecond, exceededFor } = t.rateLimit;
  return {
    name: "platform-rate-limiting",
    rules: [
      alertRule(RUNBOOK, {
        alert: "RateLimitExceededHigh",
        expr: `${sumRate("rate_limit_exceeded_total", ["namespace", "service"], "5m", LIVE)} > ${exceededPerSecond}`,
        for: exceededFor,
        severity: "warning",
        team: "security",
        component: "rate-limit",
        identity: ["namespace", "service"],
        summary: "The rate limiter rejects many requests.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} rejects {{ $value | humanize }} requests per second for exceeding a rate limit, above ${exceededPerSecond}/s for ${exceededFor}.`,
      }),
    ],
  };
};
