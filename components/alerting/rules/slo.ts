import { APP_METRICS } from "../../metrics/catalog";
import { alertRule, LIVE, seconds, selector, sumRate } from "./promql";
import { SLO_LABELS, SLO_RECORDS, SLO_WINDOWS, type SloWindow } from "./slo-records";
import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";
import type { AlertRulesContext, PlatformAlert, PlatformRuleGroup, RecordingRule, ServiceSlos } from "./types";

const RUNBOOK = "slo";
export const ERROR_BUDGET_BURN_ALERT = "ErrorBudgetBurn";
export type SloKind = "availability" | "latency";

/**
 * Multi-window, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", table 5-8): a pair pages
 * or makes a ticket when both its long window (is it a real spend?) and its short window (is it still
 * happening?) burn faster than the pair's factor; the short window lets the alert resolve minutes after
 * the burn stops, although the long window still remembers it.
 */
export interface BurnRateWindows {
  readonly long: SloWindow;
  readonly short: SloWindow;
  /** Share of the period's error budget spent within the long window when this pair fires. */
  readonly budgetShare: number;
  readonly severity: "critical" | "warning";
}

export const BURN_RATE_WINDOWS: readonly BurnRateWindows[] = [
  { long: "1h", short: "5m", budgetShare: 0.02, severity: "critical" },
  { long: "6h", short: "30m", budgetShare: 0.05, severity: "critical" },
  { long: "1d", short: "2h", budgetShare: 0.1, severity: "warning" },
  { long: "3d", short: "6h", budgetShare: 0.1, severity: "warning" },
];

/**
 * How many times faster than an even spend over the period the pair's windows must burn: 14.4, 6, 3 and 1
 * for a 30-day period (the workbook's numbers), 13.44, 5.6, 2.8 and 0.9333 for 28 days.
 */
export function burnRateFactor(pair: BurnRateWindows, period: string): number {
  return Number(((pair.budgetShare * seconds(period)) / seconds(pair.long)).toPrecision(4));
}

/** 99.9 (the stack file's percent) → 0.999, and its error budget 0.001, without binary noise. */
export function objectiveRatio(objectivePercent: number): { objective: number; budget: number } {
  return { objective: Number((objectivePercent / 100).toPrecision(12)), budget: Number(((100 - objectivePercent) / 100).toPrecision(12)) };
}

interface Sli {
  readonly kind: SloKind;
  readonly objectivePercent: number;
  /** Bad events over all events, over `window`, per namespace and service. */
  readonly errorRatio: (window: string) => string;
  readonly requestRate: (window: string) => string;
  readonly errorRate: (window: string) => string;
  /** What a bad event is, for the descriptions. */
  readonly bad: string;
}

const BY = ["namespace", "service"];

/** `le` of one bucket bound, however it was written: Prometheus 3 stores `1` as `1.0` when it ingests. */
function bucketMatcher(bound: number): string {
  return Number.isInteger(bound) ? `le=~"${bound}|${bound}.0"` : `le="${bound}"`;
}

function slis(slos: ServiceSlos): Sli[] {
  const app = [`namespace="${slos.namespace}"`, `service="${slos.service}"`, LIVE];
  const list: Sli[] = [];
  if (slos.availability) {
    const errors = `status=~"5.."`;
    const requestRate = (w: string) => sumRate("http_requests_total", BY, w, ...app);
    // prom-client creates the status="5xx" series on the first server error: a service that never had one
    // has none, and a ratio of them would leave every record, the remaining budget included, empty.
    const errorRate = (w: string) => `(${sumRate("http_requests_total", BY, w, ...app, errors)}\nor\n${requestRate(w)} * 0)`;
    list.push({
      kind: "availability",
      objectivePercent: slos.availability.objective,
      errorRatio: (w) => `${errorRate(w)}\n/\n${requestRate(w)}`,
      requestRate,
      errorRate,
      bad: "answered with a 5xx status",
    });
  }
  if (slos.latency) {
    const threshold = slos.latency.thresholdSeconds;
    const buckets: readonly number[] = APP_METRICS.http_request_duration_seconds.buckets;
    if (!buckets.includes(threshold)) {
      throw new Error(
        `apps (${slos.service}): slos.latency.thresholdSeconds (${threshold}) must be a bucket bound of http_request_duration_seconds (${buckets.join(", ")}): the SLI counts the requests in the bucket le="${threshold}"`,
      );
    }
    const total = (w: string) => sumRate("http_request_duration_seconds_count", BY, w, ...app);
    const fast = (w: string) => sumRate("http_request_duration_seconds_bucket", BY, w, ...app, bucketMatcher(threshold));
    list.push({
      kind: "latency",
      objectivePercent: slos.latency.objective,
      errorRatio: (w) => `1 - (\n  ${fast(w)}\n  /\n  ${total(w)}\n)`,
      requestRate: total,
      errorRate: (w) => `${total(w)}\n-\n${fast(w)}`,
      bad: `slower than ${threshold}s`,
    });
  }
  return list;
}

function sloSelector(slos: ServiceSlos, kind: SloKind): string[] {
  return [`namespace="${slos.namespace}"`, `service="${slos.service}"`, `slo="${kind}"`];
}

function recordings(slos: ServiceSlos, sli: Sli): RecordingRule[] {
  const labels = { slo: sli.kind };
  const own = (record: string) => selector(record, ...sloSelector(slos, sli.kind));
  const { objective, budget } = objectiveRatio(sli.objectivePercent);
  const period = slos.window;
  return [
    // Metadata first: other rules (the fixed-threshold HTTP alerts) test for its presence.
    { record: SLO_RECORDS.objective, expr: `vector(${objective})`, labels: { namespace: slos.namespace, service: slos.service, slo: sli.kind } },
    ...SLO_WINDOWS.map((w): RecordingRule => ({ record: SLO_RECORDS.errorRatio(w), expr: sli.errorRatio(w), labels })),
    ...(["5m", "1h", "6h"] as const).map((w): RecordingRule => ({ record: SLO_RECORDS.requestRate(w), expr: sli.requestRate(w), labels })),
    { record: SLO_RECORDS.errorRate5m, expr: sli.errorRate("5m"), labels },
    // Traffic-weighted over the period, from the recorded 5m rates: a 30-day rate of the raw counters would
    // read a month of samples at every evaluation.
    {
      record: SLO_RECORDS.periodErrorRatio,
      expr: `sum_over_time(${own(SLO_RECORDS.errorRate5m)}[${period}])\n/\nsum_over_time(${own(SLO_RECORDS.requestRate("5m"))}[${period}])`,
      labels,
    },
    { record: SLO_RECORDS.budgetRemaining, expr: `1 - ${own(SLO_RECORDS.periodErrorRatio)} / ${budget}`, labels },
  ];
}

function burnAlerts(t: AlertThresholds, slos: ServiceSlos, sli: Sli): PlatformAlert[] {
  const { budget } = objectiveRatio(sli.objectivePercent);
  const own = (record: string) => selector(record, ...sloSelector(slos, sli.kind));
  const burn = (w: SloWindow) => `${own(SLO_RECORDS.errorRatio(w))} / ${budget}`;
  const minRate = t.http.minRequestsPerSecond;
  // The short window first: its burn rate is the alert's value, what is happening now.
  const pair = (p: BurnRateWindows, traffic?: ">=" | "<") => {
    const factor = burnRateFactor(p, slos.window);
    const parts = [`${burn(p.short)} > ${factor}`, `${burn(p.long)} > ${factor}`];
    if (traffic) parts.push(`${own(SLO_RECORDS.requestRate(p.long as "1h" | "6h"))} ${traffic} ${minRate}`);
    return `(\n  ${parts.join("\n  and\n  ")}\n)`;
  };
  const pages = BURN_RATE_WINDOWS.filter((p) => p.severity === "critical");
  const tickets = BURN_RATE_WINDOWS.filter((p) => p.severity === "warning");
  const describe = (list: readonly BurnRateWindows[]) => list.map((p) => `${burnRateFactor(p, slos.window)}× over ${p.long} and ${p.short}`).join(", or ");
  const what = `its ${slos.window} ${sli.kind} error budget (objective ${sli.objectivePercent}%, requests ${sli.bad} count against it)`;
  const common = { alert: ERROR_BUDGET_BURN_ALERT, team: "application" as const, component: "slo", identity: [...SLO_LABELS], slo: { service: slos.service, slo: sli.kind } };
  return [
    alertRule(RUNBOOK, {
      ...common,
      expr: pages.map((p) => pair(p, ">=")).join("\nor\n"),
      for: t.slo.pageFor,
      severity: "critical",
      summary: "A service burns its error budget fast enough to page.",
      description: `{{ $labels.namespace }}/{{ $labels.service }} spends ${what} {{ $value | humanize }} times as fast as the period allows: above ${describe(pages)}.`,
    }),
    alertRule(RUNBOOK, {
      ...common,
      // Below the minimum request rate a fast burn is a handful of requests: a ticket, not a page.
      expr: [...tickets.map((p) => pair(p)), ...pages.map((p) => pair(p, "<"))].join("\nor\n"),
      for: t.slo.ticketFor,
      severity: "warning",
      summary: "A service burns its error budget faster than it can sustain.",
      description: `{{ $labels.namespace }}/{{ $labels.service }} spends ${what} {{ $value | humanize }} times as fast as the period allows: above ${describe(tickets)}, or a page-level burn at fewer than ${minRate} requests per second.`,
    }),
  ];
}

/** One group per app with SLOs: its SLI recordings, then its burn-rate alerts, evaluated in that order. */
export function sloRuleGroups(t: AlertThresholds, context: AlertRulesContext): PlatformRuleGroup[] {
  return context.slos.map((slos) => {
    const list = slis(slos);
    return { name: `platform-slo-${slos.service}`, rules: [...list.flatMap((sli) => recordings(slos, sli)), ...list.flatMap((sli) => burnAlerts(t, slos, sli))] };
  });
}
