import { stringify } from "yaml";

const LEADING_KEYS = ["apiVersion", "kind", "metadata", "name", "namespace"];

function keyOrder(a: string, b: string): number {
  const ia = LEADING_KEYS.indexOf(a);
  const ib = LEADING_KEYS.indexOf(b);
  if (ia !== -1 || ib !== -1) return (ia === -1 ? LEADING_KEYS.length : ia) - (ib === -1 ? LEADING_KEYS.length : ib);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Same data with object keys in a fixed order (Kubernetes' leading keys first), so output is byte-stable. */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort(keyOrder)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
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
