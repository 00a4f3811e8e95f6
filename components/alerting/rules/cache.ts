import { alertRule, LIVE, percent, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "cache";

export const cacheRules: RuleGroupBuilder = (t) => {
  const { minHitRatio, hitRatioFor } = t.cache;
  const by = ["namespace", "service", "cache"];
  const hits = sumRate("cache_hits_total", by, "5m", LIVE);
  const misses = sumRate("cache_misses_total", by, "5m", LIVE);
  return {
    name: "platform-cache",
    rules: [
      alertRule(RUNBOOK, {
        alert: "CacheLowHitRate",
        // An idle cache gives 0/0, which is no sample: no lookups is not a low hit rate.
        expr: `${hits}\n/\n(${hits} + ${misses})\n< ${minHitRatio}`,
        for: hitRatioFor,
        severity: "warning",
        team: "application",
        component: "cache",
        identity: by,
        summary: "A cache misses most lookups.",
        description: `Cache {{ $labels.cache }} of {{ $labels.namespace }}/{{ $labels.service }} answers only {{ $value | humanizePercentage }} of its lookups, below ${percent(minHitRatio)} for ${hitRatioFor}.`,
      }),
    ],
  };
};
