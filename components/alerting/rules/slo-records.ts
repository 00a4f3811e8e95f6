/**
 * Names of the series the SLO rules record (slo.ts), in Sloth's `slo:<what>:<how>` style. Each carries
 * `namespace`, `service` (the app) and `slo` (availability | latency). Other rules, dashboards and tests
 * read them by these names.
 */
export const SLO_RECORDS = {
  /** The objective as a ratio (99.9 % → 0.999): present exactly for the services that declare the SLO. */
  objective: "slo:objective:ratio",
  /** Share of bad events over a window: 5xx responses, or responses slower than the latency threshold. */
  errorRatio: (window: SloWindow) => `slo:sli_error:ratio_rate${window}`,
  /** Events per second over a window: the traffic a burn rate is computed from. */
  requestRate: (window: "5m" | "1h" | "6h") => `slo:sli_requests:rate${window}`,
  /** Bad events per second over 5 minutes, summed over the SLO period for the period's error ratio. */
  errorRate5m: "slo:sli_errors:rate5m",
  /** Share of bad events over the whole SLO period (28 or 30 days). */
  periodErrorRatio: "slo:sli_error:ratio_period",
  /** Share of the period's error budget not spent yet: 1 is untouched, 0 spent, below 0 overspent. */
  budgetRemaining: "slo:error_budget_remaining:ratio",
} as const;

/** The windows burn-rate alerts compare: the long and short window of each pair (Google SRE workbook, ch. 5). */
export const SLO_WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"] as const;
export type SloWindow = (typeof SLO_WINDOWS)[number];

/** The labels every SLO series carries. */
export const SLO_LABELS = ["namespace", "service", "slo"] as const;
