import { alertRule, LIVE, percent, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "cache";

export const cacheRules: RuleGroupBuilder = (t) => {
  const { minHitRatio, hitRatioFor } = t.cache;
  const by = ["namespace", "service", "cache"];
  const hits = sumRate("cache_hits_total", by, "5m", LIVE);
  const misses = sumRate("cache_misses_total", by, "5m", LIVE);
  // prom-client creates a labelled counter's series on its first inc(): a cache that never hit has no
  // cache_hits_total at all, and one that never missed no cache_misses_total. Each side falls back to
  // zero from the other, so 0 % hits is a ratio of 0 and not a missing sample.
  const hitRate = `(${hits}\nor\n${misses} * 0)`;
  const missRate = `(${misses}\nor\n${hits} * 0)`;
  return {
    name: "platform-cache",
    rules: [
      alertRule(RUNBOOK, {
        alert: "CacheLowHitRate",
        // An idle cache gives 0/0, which is no sample: no lookups is not a low hit rate.
        expr: `${hitRate}\n/\n(${hitRate} + ${missRate})\n< ${minHitRatio}`,
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
