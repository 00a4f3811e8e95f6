import { BACKUP_METRICS } from "./backup-metrics";
import { appMetrics, seriesNames } from "./catalog";
import { EXPORTER_METRICS } from "./exporter-metrics";

/**
 * Every raw series name a rule may select: the application catalog (histograms with their _bucket,
 * _sum and _count series), the pushed backup gauges and the listed exporter metrics.
 */
export function knownSeriesNames(): ReadonlySet<string> {
  return new Set([
    ...appMetrics().flatMap((metric) => seriesNames(metric.name, metric)),
    ...Object.keys(BACKUP_METRICS),
    ...EXPORTER_METRICS.map((metric) => metric.name),
  ]);
}
