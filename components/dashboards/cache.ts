import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redBelow, statPanel, timeseriesPanel } from "./panels";
import { sumRate } from "./promql";
import { APP_SELECTOR, labelVariable, namespaceAndService, seriesSelector } from "./variables";

// A cache is listed whichever of its counters exists: prom-client creates each on its first inc(), so a cache
// that only ever missed has no cache_hits_total, one that only ever hit no cache_misses_total.
const LOOKUPS = ["cache_hits_total", "cache_misses_total"] as const;

/** Application caches: how often they answer, how often they miss, how much memory they hold. */
export function cacheDashboard(t: AlertThresholds): Dashboard {
  const S = `${APP_SELECTOR}, cache=~"$cache"`;
  // prom-client creates a counter's labelled series on its first inc(): a cache that never hit has no
  // cache_hits_total, one that never missed no cache_misses_total. Each side falls back to zero from the
  // other, as in the CacheLowHitRate alert, so 0 % hits shows as 0 and not as a gap.
  const hits = (labels: string) => `(${sumRate("cache_hits_total", S, labels)} or ${sumRate("cache_misses_total", S, labels)} * 0)`;
  const misses = (labels: string) => `(${sumRate("cache_misses_total", S, labels)} or ${sumRate("cache_hits_total", S, labels)} * 0)`;
  // An idle cache gives 0/0, no sample: no lookups is not a low hit ratio (same as the alert).
  const hitRatio = (labels: string) => `${hits(labels)} / (${hits(labels)} + ${misses(labels)})`;
  return platformDashboard({
    name: "cache",
    title: "Platform / Cache",
    description: "Hit ratio, lookups and size of the applications' caches.",
    variables: [
      ...namespaceAndService(LOOKUPS),
      labelVariable("cache", "Cache", seriesSelector(LOOKUPS, 'namespace=~"$namespace"', 'service=~"$service"')),
    ],
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({
            title: "Hit ratio, worst cache",
            description: "Share of lookups answered from the cache, of the cache with the lowest share.",
            unit: "percentunit",
            width: 8,
            queries: [{ expr: `min(${hitRatio("service, cache")})` }],
            steps: redBelow(t.cache.minHitRatio),
          }),
          statPanel({
            title: "Lookups",
            description: "Cache lookups per second, hits and misses.",
            unit: "ops",
            width: 8,
            queries: [{ expr: `${hits("")} + ${misses("")}` }],
          }),
          statPanel({ title: "Size", description: "Memory held by the caches.", unit: "bytes", width: 8, queries: [{ expr: `sum(cache_size_bytes{${S}})` }] }),
        ],
      },
      {
        title: "By cache",
        panels: [
          timeseriesPanel({
            title: "Hit ratio",
            description: "Share of lookups answered from the cache, per service and cache.",
            unit: "percentunit",
            max: 1,
            queries: [{ expr: hitRatio("service, cache"), legend: "{{service}}/{{cache}}" }],
          }),
          timeseriesPanel({
            title: "Hits and misses",
            description: "Lookups per second, per cache.",
            unit: "ops",
            queries: [
              { expr: sumRate("cache_hits_total", S, "cache"), legend: "{{cache}} hits" },
              { expr: sumRate("cache_misses_total", S, "cache"), legend: "{{cache}} misses" },
            ],
          }),
          timeseriesPanel({
            title: "Size",
            description: "Memory held, per service and cache.",
            unit: "bytes",
            width: 24,
            queries: [{ expr: `sum by (service, cache) (cache_size_bytes{${S}})`, legend: "{{service}}/{{cache}}" }],
          }),
        ],
      },
    ],
  });
}
