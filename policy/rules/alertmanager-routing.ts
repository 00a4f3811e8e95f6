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

function deliver(route: Record<string, unknown>, labels: Labels, inherited: string | undefined): string[] {
  const receiver = str(route.receiver) ?? inherited;
  const reached: string[] = [];
  for (const child of list(route.routes).filter(isRecord)) {
    if (!routeMatches(child, labels)) continue;
    reached.push(...deliver(child, labels, receiver));
    if (child.continue !== true) return reached;
  }
  return reached.length > 0 ? reached : receiver === undefined ? [] : [receiver];
}

/** Receivers an alert with `labels` is delivered to under an Alertmanager config (`route` + `receivers`). */
export function receiversFor(config: Record<string, unknown>, labels: Labels): string[] {
  return isRecord(config.route) ? deliver(config.route, labels, undefined) : [];
}

/** Whether a named receiver has at least one notifier (`slack_configs`, `pagerduty_configs`, …). */
export function receiverNotifies(config: Record<string, unknown>, name: string): boolean {
  const receiver = list(config.receivers).filter(isRecord).find((r) => r.name === name);
  return receiver !== undefined && Object.entries(receiver).some(([key, value]) => key.endsWith("_configs") && list(value).length > 0);
}
