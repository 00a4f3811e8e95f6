import type { RecordedResource } from "./mocks";
import type { PlanRecord } from "./run-program";

export interface PropertyChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface PlanDiff {
  readonly added: readonly RecordedResource[];
  readonly removed: readonly RecordedResource[];
  readonly changed: readonly { readonly resource: RecordedResource; readonly changes: readonly PropertyChange[] }[];
}

/** Leaf values by dotted path (arrays indexed), so two records compare property by property. */
export function flatten(value: unknown, prefix = "", into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, into));
  } else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, into);
  } else {
    into.set(prefix, value);
  }
  return into;
}

// What the engine diffs to decide an update: inputs and resource options. Dependencies only order the
// work (a dependsOn on a component lists all its children), so `pulumi preview` does not report them.
function comparable(resource: RecordedResource): unknown {
  return { inputs: resource.inputs, options: resource.options };
}

/** What `pulumi preview --diff` would report between two plans of the same stack, by URN. */
export function diffPlans(before: PlanRecord, after: PlanRecord): PlanDiff {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const now = new Map(after.resources.map((r) => [r.urn, r]));
  const changed: { resource: RecordedResource; changes: PropertyChange[] }[] = [];
  for (const [urn, resource] of now) {
    const previous = old.get(urn);
    if (!previous) continue;
    const a = flatten(comparable(previous));
    const b = flatten(comparable(resource));
    const changes: PropertyChange[] = [];
    for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
      if (JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key))) changes.push({ path: key, before: a.get(key), after: b.get(key) });
    }
    if (changes.length > 0) changed.push({ resource, changes });
  }
  return {
    added: after.resources.filter((r) => !old.has(r.urn)),
    removed: before.resources.filter((r) => !now.has(r.urn)),
    changed,
  };
}

const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));

export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  for (const r of diff.added) lines.push(`+ ${r.type} ${r.name}`);
  for (const r of diff.removed) lines.push(`- ${r.type} ${r.name}`);
  for (const { resource, changes } of diff.changed) {
    lines.push(`~ ${resource.type} ${resource.name}`);
    for (const c of changes) {
      const sign = c.before === undefined ? "+" : c.after === undefined ? "-" : "~";
      lines.push(`    ${sign} ${c.path}: ${c.before === undefined ? show(c.after) : c.after === undefined ? show(c.before) : `${show(c.before)} => ${show(c.after)}`}`);
    }
  }
  lines.push(`${diff.added.length} to add, ${diff.removed.length} to delete, ${diff.changed.length} to update`);
  return `${lines.join("\n")}\n`;
}
