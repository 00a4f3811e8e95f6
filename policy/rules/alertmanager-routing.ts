import { isRecord, list, record, str } from "./values";

/**
 * Just enough of Alertmanager's routing to answer "where does an alert with these labels go": children are
 * tried in order, the first match is descended into (later siblings only with `continue: true`), and a route
 * no child matches delivers to its own receiver, inherited from the parent when unset. Matchers follow
 * Alertmanager: `matchers` strings (`severity="critical"`, `=~` and `!~` fully anchored), or the older
 * `match` / `match_re` maps; a missing label is the empty string.
 */

type Labels = Readonly<Record<string, string>>;

function matcherHolds(matcher: string, labels: Labels): boolean {
  const parsed = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(matcher);
  if (!parsed) return false;
  const [, name, op, value] = parsed;
  const actual = labels[name] ?? "";
  switch (op) {
    case "=":
      return actual === value;
    case "!=":
      return actual !== value;
    case "=~":
      return new RegExp(`^(?:${value})$`).test(actual);
    default:
      return !new RegExp(`^(?:${value})$`).test(actual);
  }
}

function routeMatches(route: Record<string, unknown>, labels: Labels): boolean {
  const matchers = list(route.matchers).map((m) => str(m) ?? "");
  const equal = Object.entries(record(route.match)).map(([k, v]) => `${k}="${String(v)}"`);
  const regex = Object.entries(record(route.match_re)).map(([k, v]) => `${k}=~"${String(v)}"`);
  return [...matchers, ...equal, ...regex].every((m) => matcherHolds(m, labels));
}

/** Where a route delivers: its receiver and how often a still-firing group is notified again (both inherited). */
export interface Delivery {
  readonly receiver: string;
  /** Alertmanager's repeat_interval of the route, `4h` when no route on the path sets it. */
  readonly repeatInterval: string;
}

/** Alertmanager's default repeat_interval. */
const DEFAULT_REPEAT_INTERVAL = "4h";

function deliver(route: Record<string, unknown>, labels: Labels, inherited: Partial<Delivery>): Delivery[] {
  const here = { receiver: str(route.receiver) ?? inherited.receiver, repeatInterval: str(route.repeat_interval) ?? inherited.repeatInterval };
  const reached: Delivery[] = [];
  for (const child of list(route.routes).filter(isRecord)) {
    if (!routeMatches(child, labels)) continue;
    reached.push(...deliver(child, labels, here));
    if (child.continue !== true) return reached;
  }
  if (reached.length > 0) return reached;
  return here.receiver === undefined ? [] : [{ receiver: here.receiver, repeatInterval: here.repeatInterval ?? DEFAULT_REPEAT_INTERVAL }];
}

/** The deliveries of an alert with `labels` under an Alertmanager config (`route` + `receivers`). */
export function deliveriesFor(config: Record<string, unknown>, labels: Labels): Delivery[] {
  return isRecord(config.route) ? deliver(config.route, labels, {}) : [];
}

/** Receivers an alert with `labels` is delivered to under an Alertmanager config (`route` + `receivers`). */
export function receiversFor(config: Record<string, unknown>, labels: Labels): string[] {
  return deliveriesFor(config, labels).map((d) => d.receiver);
}

/** Seconds of an Alertmanager duration (`90s`, `1h30m`, `2d`), or undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (text === "" || parts.map((p) => p[0]).join("") !== text) return undefined;
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

/** Whether a named receiver has at least one notifier (`slack_configs`, `pagerduty_configs`, …). */
export function receiverNotifies(config: Record<string, unknown>, name: string): boolean {
  const receiver = list(config.receivers).filter(isRecord).find((r) => r.name === name);
  return receiver !== undefined && Object.entries(receiver).some(([key, value]) => key.endsWith("_configs") && list(value).length > 0);
}
