import type { LoadedChart } from "./chart-archive";

/**
 * Helm silently ignores a values key that no template reads: a misspelt or outdated key looks set in the
 * code and does nothing in the cluster (prometheus-blackbox-exporter 11 no longer reads `pspEnabled`).
 * The plan therefore fails on any key that neither the chart's defaults (values.yaml, its own and those
 * its parent sets for a subchart) nor its templates (`.Values.a.b`) know.
 *
 * Below a map whose default is empty (`podLabels: {}`) or null, any key is accepted: such maps are
 * free-form by design. A key under a map the templates read whole (`toYaml .Values.config`) is accepted too.
 */
type Values = Record<string, unknown>;

const isMap = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

/** Dotted paths the templates read from `.Values` (`.Values.a.b`, `$.Values.a`, `index .Values "a" "b"`). */
function templateReferences(chart: LoadedChart): string[][] {
  const refs: string[][] = [];
  for (const text of chart.templates.values()) {
    for (const m of text.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) refs.push(m[1].slice(1).split("."));
    for (const m of text.matchAll(/index\s+\$?\.Values((?:\s+"[^"]+")+)/g)) refs.push([...m[1].matchAll(/"([^"]+)"/g)].map((k) => k[1]));
  }
  return refs;
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over === undefined ? base : over;
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

const startsWith = (a: readonly string[], b: readonly string[]) => b.every((k, i) => a[i] === k);

/**
 * The keys of `values` (dotted paths, subcharts under their alias) that `chart` does not know, sorted.
 * `parentDefaults` and `parentRefs` are what a parent chart sets and reads under this subchart's key.
 */
export function unknownValueKeys(chart: LoadedChart, values: Values, parentDefaults: unknown = undefined, parentRefs: string[][] = []): string[] {
  const defaults = deepMerge(chart.values, parentDefaults) as Values;
  const refs = [...templateReferences(chart), ...parentRefs];
  const problems: string[] = [];

  const walk = (value: unknown, def: unknown, keys: string[]) => {
    if (!isMap(value)) return;
    if (def === null || (isMap(def) && Object.keys(def).length === 0)) return;
    for (const [key, child] of Object.entries(value)) {
      const childKeys = [...keys, key];
      if (keys.length === 0 && key === "global") continue;
      if (isMap(def) && key in def) {
        walk(child, def[key], childKeys);
      } else if (refs.some((r) => startsWith(r, childKeys) || startsWith(childKeys, r))) {
        continue;
      } else if (!isMap(def) && def !== undefined) {
        continue; // a scalar default replaced by a map: the chart's own concern, not a key Helm ignores
      } else {
        problems.push(childKeys.join("."));
      }
    }
  };

  const subchartKeys = new Map<string, LoadedChart>();
  for (const dep of chart.dependencies) {
    const sub = chart.subcharts.get(dep.name);
    if (sub) subchartKeys.set(dep.alias ?? dep.name, sub);
  }
  const own: Values = {};
  for (const [key, child] of Object.entries(values)) {
    const sub = subchartKeys.get(key);
    if (sub && isMap(child)) {
      // A parent that reads the subchart's whole map (`index .Values "grafana"`) reads one of its fields.
      const refsBelow = refs.filter((r) => r[0] === key && r.length > 1).map((r) => r.slice(1));
      for (const p of unknownValueKeys(sub, child, defaults[key], refsBelow)) problems.push(`${key}.${p}`);
    } else {
      own[key] = child;
    }
  }
  walk(own, defaults, []);
  return problems.sort();
}
