import { stringify } from "yaml";

const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"];
const LEADING_RANK = new Map(LEADING_KEYS.map((key, i) => [key, i]));

function keyOrder(a: string, b: string): number {
  const ia = LEADING_RANK.get(a);
  const ib = LEADING_RANK.get(b);
  if (ia !== undefined || ib !== undefined) return (ia ?? LEADING_KEYS.length) - (ib ?? LEADING_KEYS.length);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same data with object keys in a fixed order (Kubernetes' leading keys first), so output is byte-stable. */
export function canonical(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(canonical);
  // Built key by key rather than through entry arrays: the plan orders every resource's inputs this way.
  const keys = Object.keys(value).sort(keyOrder);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const item = canonical((value as Record<string, unknown>)[key]);
    // An own "__proto__" key stays a key, as Object.fromEntries keeps it, instead of setting the prototype.
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/**
 * YAML that YAML-1.1 consumers (Kubernetes, Prometheus, Alertmanager) read back as the same data:
 * `on`, `off`, `yes`, `no` and friends stay quoted strings instead of turning into booleans.
 */
export function toYaml(value: unknown): string {
  return stringify(canonical(value), { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false });
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(canonical(value), null, 2)}\n`;
}
