/**
 * The few PromQL shapes the dashboards repeat, so each panel reads as what it shows. `$__rate_interval` is
 * Grafana's window that always spans at least four scrapes, whatever the zoom.
 */

const by = (labels: string) => (labels ? ` by (${labels})` : "");

/** Per-second rate of a counter, summed (by `labels` when given). */
export function sumRate(metric: string, selector: string, labels = "", window = "$__rate_interval"): string {
  return `sum${by(labels)} (rate(${metric}{${selector}}[${window}]))`;
}

/** Increase of a counter over `window`, summed (by `labels` when given). */
export function sumIncrease(metric: string, selector: string, window: string, labels = ""): string {
  return `sum${by(labels)} (increase(${metric}{${selector}}[${window}]))`;
}

/** The q-quantile of a histogram over the rate window, per `labels` when given. */
export function quantile(q: number, histogram: string, selector: string, labels = "", window = "$__rate_interval"): string {
  return `histogram_quantile(${q}, sum by (le${labels ? `, ${labels}` : ""}) (rate(${histogram}_bucket{${selector}}[${window}])))`;
}

/** Median and 95th percentile of a histogram per `label`, as the two queries of a latency panel. */
export function medianAndP95(histogram: string, selector: string, label: string, window = "$__rate_interval"): { expr: string; legend: string }[] {
  return [0.5, 0.95].map((q) => ({ expr: quantile(q, histogram, selector, label, window), legend: `{{${label}}} p${q * 100}` }));
}

/** Share of a counter's rate whose series match `part` (e.g. `status="error"`), per `labels` when given. */
export function rateRatio(metric: string, selector: string, part: string, labels = "", window = "$__rate_interval"): string {
  return `${sumRate(metric, `${selector}, ${part}`, labels, window)} / ${sumRate(metric, selector, labels, window)}`;
}
