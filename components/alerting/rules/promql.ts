import { durationSeconds } from "../../../stacks/formats";
import { APP_METRICS, type AppMetricName } from "../../metrics/catalog";
import type { AlertRulesContext, PlatformAlert, Severity, Team } from "./types";

/**
 * Small PromQL and wording helpers shared by the rule builders, so every rule spells a ratio, a
 * quantile or a threshold the same way.
 */

/**
 * Application rules read live traffic only. Pods reached through a blue-green app's preview Service run
 * the next (or previous) version and see test traffic; the blue-green rules watch them instead.
 * Series of apps without blue-green have no `role` label and match.
 */
export const LIVE = `role!="preview"`;

/** `metric{matchers}`, or the bare name without matchers. */
export function selector(metric: string, ...matchers: string[]): string {
  return matchers.length === 0 ? metric : `${metric}{${matchers.join(", ")}}`;
}

/** A regex matcher value that matches exactly one of `values` (RE2 metacharacters escaped). */
export function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\.+*?()|[\]{}^$]/g, "\\$&")).join("|");
}

/** The matcher selecting the application namespaces, e.g. `namespace=~"apps|web"`. */
export function appNamespaces(context: AlertRulesContext): string {
  if (context.appNamespaces.length === 0) throw new Error("appNamespaces must list at least one namespace: the application alerts would match nothing");
  return `namespace=~"${anyOf(context.appNamespaces)}"`;
}

/**
 * Where a symptom the platform owns in every namespace is reported to: the application namespaces' alerts
 * go to team application, every other namespace's (the platform's own, kube-system) to infrastructure. The
 * two matchers are complements, so each namespace raises the symptom exactly once.
 */
export interface NamespaceOwner {
  readonly team: Team;
  /** Matcher selecting this owner's namespaces: `namespace=~"apps"` or `namespace!~"apps"`. */
  readonly namespaces: string;
}

export function namespaceOwners(context: AlertRulesContext): readonly NamespaceOwner[] {
  const apps = appNamespaces(context);
  return [
    { team: "application", namespaces: apps },
    { team: "infrastructure", namespaces: apps.replace("=~", "!~") },
  ];
}

/**
 * `unless` the alert `alert` is firing for the same `on` labels. Prometheus evaluates a group's rules in order and
 * each one reads the ALERTS series of those before it at the same evaluation, so `alert` must come first in the group.
 */
export function unlessFiring(alert: string, on: readonly string[]): string {
  return `unless on (${on.join(", ")})\nALERTS{alertname="${alert}", alertstate="firing"}`;
}

/** `sum by (...) (rate(metric{...}[window]))` */
export function sumRate(metric: string, by: readonly string[], window: string, ...matchers: string[]): string {
  return `sum by (${by.join(", ")}) (rate(${selector(metric, ...matchers)}[${window}]))`;
}

/** Share of `metric`'s rate whose series also match `part`, per `by`. */
export function rateRatio(metric: string, part: string, by: readonly string[], window: string, ...matchers: string[]): string {
  return `${sumRate(metric, by, window, ...matchers, part)}\n/\n${sumRate(metric, by, window, ...matchers)}`;
}

/**
 * Refuses a quantile threshold outside a catalog histogram's finite buckets: above the largest bound
 * the quantile is never measured, so an alert on it could never fire.
 */
export function assertMeasurable(metric: AppMetricName, threshold: number, what: string): void {
  const buckets: readonly number[] = (APP_METRICS[metric] as { buckets?: readonly number[] }).buckets ?? [];
  if (buckets.length === 0) throw new Error(`${metric} is not a histogram in the metrics catalog`);
  const largest = buckets[buckets.length - 1];
  if (!(threshold < largest)) {
    throw new Error(`alertThresholds.${what} (${threshold}) must be below the largest bucket of ${metric} (${largest}): a higher quantile is never measured, so the alert could not fire`);
  }
}

/** `histogram_quantile(q, …)` of a catalog histogram's live series, per `by`, for an alert above `threshold`. */
export function quantile(q: number, metric: AppMetricName, by: readonly string[], window: string, threshold: number, what: string): string {
  assertMeasurable(metric, threshold, what);
  return `histogram_quantile(${q}, ${sumRate(`${metric}_bucket`, [...by, "le"], window, LIVE)})`;
}

/**
 * What a counter counted over `window`, per series, for counters that exist only once they count: an
 * OpenTelemetry counter's series appears at its first increment, already at 1 or more, and increase() has no
 * earlier sample to see that first one by. A series first seen within the window counts whole, one seen in the
 * day before it counts its increase (a day, so that a gap in the scrapes does not make an old series look new).
 * Only series still exposed count: a replaced process (restarted, rolled, or gone with its lease) takes its
 * series, and what they counted, with it.
 */
export function countedOver(series: string, window: string): string {
  return `(\n  ${series}\n  unless\n  last_over_time(${series}[1d] offset ${window})\n)\nor\n(\n  increase(${series}[${window}])\n  and\n  ${series}\n)`;
}

/** Seconds in a validated Prometheus duration, for use inside an expression. */
export function seconds(duration: string): number {
  const value = durationSeconds(duration);
  if (value === undefined) throw new Error(`"${duration}" is not a Prometheus duration`);
  return value;
}

/** 0.05 → "5%": how thresholds read in descriptions, matching humanizePercentage's output. */
export function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(10))}%`;
}

/** 2 → "2s", 300 → "5m", 3600 → "1h": a threshold in seconds, written the way people say it. */
export function secondsText(value: number): string {
  if (value >= 3600 && value % 3600 === 0) return `${value / 3600}h`;
  if (value >= 60 && value % 60 === 0) return `${value / 60}m`;
  return `${value}s`;
}

export interface AlertSpec {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: Severity;
  readonly team: Team;
  readonly component: string;
  readonly summary: string;
  readonly description: string;
  /** The labels of the alert's series that say what is failing (see PlatformAlert.identity). */
  readonly identity: readonly string[];
  /** Burn-rate alerts: the app and SLO, as rule labels (AlertLabels). */
  readonly slo?: { readonly service: string; readonly slo: string };
}

/** An alert whose runbook is the `## <alert>` section of runbooks/<runbook>.md. */
export function alertRule(runbook: string, spec: AlertSpec): PlatformAlert {
  return {
    alert: spec.alert,
    expr: spec.expr,
    for: spec.for,
    labels: { severity: spec.severity, team: spec.team, component: spec.component, ...spec.slo },
    annotations: { summary: spec.summary, description: spec.description },
    identity: spec.identity,
    runbook,
  };
}
