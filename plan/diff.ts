import { fingerprintsOf, type RecordedResource, SECRET_PLACEHOLDER } from "./mocks";
import { helmRefusedFields, type PathSegment, type Replacement, replacementOf, replacementRulesKnown } from "./replacement";
import type { PlanRecord } from "./run-program";

export interface PropertyChange {
  /** Dotted path from the record (`inputs.spec.replicas`, `options.protect`), arrays indexed. */
  readonly path: string;
  readonly segments: readonly PathSegment[];
  readonly before: unknown;
  readonly after: unknown;
}

export interface ChangedResource {
  readonly resource: RecordedResource;
  /** The resource as the baseline recorded it: its options are the state's (a replacement of a protected one fails). */
  readonly previous: RecordedResource;
  readonly changes: readonly PropertyChange[];
  /** Set when the provider replaces the resource rather than updating it in place (`+-` in pulumi preview). */
  readonly replacement?: Replacement;
  /** Fields of a helm.v3.Release's object whose change the API server refuses, failing the release's upgrade. */
  readonly helmRefused?: readonly string[];
}

export interface PlanDiff {
  readonly added: readonly RecordedResource[];
  readonly removed: readonly RecordedResource[];
  /** Updated and replaced resources, in URN order. */
  readonly changed: readonly ChangedResource[];
}

interface Leaf {
  readonly segments: readonly PathSegment[];
  readonly value: unknown;
}

/** Leaf values by dotted path (arrays indexed, empty objects and arrays are leaves), so two records compare property by property. */
function leaves(value: unknown, segments: readonly PathSegment[] = [], into = new Map<string, Leaf>()): Map<string, Leaf> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((v, i) => leaves(v, [...segments, i], into));
  } else if (value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0) {
    for (const [k, v] of Object.entries(value)) leaves(v, [...segments, k], into);
  } else {
    into.set(dotted(segments), { segments, value });
  }
  return into;
}

function dotted(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

// What the engine diffs to decide an update: inputs and resource options. Dependencies only order the
// work (a dependsOn on a component lists all its children), so `pulumi preview` does not report them.
function comparable(resource: RecordedResource): unknown {
  return { inputs: resource.inputs, options: resource.options };
}

function propertyChanges(before: RecordedResource, after: RecordedResource): PropertyChange[] {
  const a = leaves(comparable(before));
  const b = leaves(comparable(after));
  const changes: PropertyChange[] = [];
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(key);
    const is = b.get(key);
    if (JSON.stringify(was?.value) !== JSON.stringify(is?.value)) {
      changes.push({ path: key, segments: (is ?? was)!.segments, before: was?.value, after: is?.value });
    }
  }
  // A secret is "[secret]" on both sides whatever it holds: its fingerprints tell whether it changed, as the
  // engine compares the values themselves, and the change is shown masked, as pulumi preview --diff shows it.
  const wasSecret = fingerprintsOf(before);
  for (const [key, is] of fingerprintsOf(after)) {
    const was = wasSecret.get(key);
    const path = `inputs.${key}`;
    if (was === undefined || was.digest === is.digest || changes.some((c) => c.path === path)) continue;
    changes.push({ path, segments: ["inputs", ...is.segments], before: SECRET_PLACEHOLDER, after: SECRET_PLACEHOLDER });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** What `pulumi preview --diff` would report between two plans of the same stack, by URN: additions, deletions, updates and replacements. */
export function diffPlans(before: PlanRecord, after: PlanRecord): PlanDiff {
  const old = new Map(before.resources.map((r) => [r.urn, r]));
  const now = new Map(after.resources.map((r) => [r.urn, r]));
  const inputsOf = (c: { readonly changes: readonly PropertyChange[] }) => c.changes.filter((c) => c.segments[0] === "inputs").map((c) => ({ segments: c.segments.slice(1) }));
  const compared = [...now.values()].flatMap((resource) => {
    const previous = old.get(resource.urn);
    return previous ? [{ previous, resource, changes: propertyChanges(previous, resource) }] : [];
  });
  // Providers first: the engine replaces every resource of a replaced provider.
  const replacedProviders = new Set<string>();
  for (const c of compared.filter((c) => c.resource.type.startsWith("pulumi:providers:"))) {
    if (replacementOf(c.previous, c.resource, inputsOf(c))) replacedProviders.add(c.resource.urn);
  }
  const changed: ChangedResource[] = [];
  for (const { previous, resource, changes } of compared) {
    const providerReplaced = resource.provider !== undefined && replacedProviders.has(resource.provider);
    if (changes.length === 0 && !providerReplaced) continue;
    const providerInputs = resource.provider ? now.get(resource.provider)?.inputs : undefined;
    const replacement = replacementOf(previous, resource, inputsOf({ changes }), providerInputs, providerReplaced);
    const helmRefused = helmRefusedFields(resource, inputsOf({ changes }));
    changed.push({ resource, previous, changes, ...(replacement ? { replacement } : {}), ...(helmRefused.length > 0 ? { helmRefused } : {}) });
  }
  return {
    added: after.resources.filter((r) => !old.has(r.urn)),
    removed: before.resources.filter((r) => !now.has(r.urn)),
    changed,
  };
}

/**
 * What the engine does instead of deleting the old object, from the options the state holds (the baseline's):
 * a protected one stops the update, a retained one is only forgotten. A reviewer must see both on the line.
 */
function keptOnDelete(previous: RecordedResource): string {
  if (previous.options.protect) return " [protected: pulumi up refuses to delete it]";
  if (previous.options.retainOnDelete) return " [retainOnDelete: Pulumi forgets it, the object and its data stay]";
  return "";
}

const packageOf = (type: string) => (type.startsWith("pulumi:providers:") ? type.slice("pulumi:providers:".length) : type.split(":")[0]);
const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));

/** The diff as `pulumi preview --diff` lays it out: `+` create, `-` delete, `~` update, `+-` replace, with property changes. */
export function formatDiff(diff: PlanDiff): string {
  const lines: string[] = [];
  for (const r of diff.added) lines.push(`+ ${r.type} ${r.name}`);
  for (const r of diff.removed) lines.push(`- ${r.type} ${r.name}${keptOnDelete(r)}`);
  for (const { resource, previous, changes, replacement, helmRefused } of diff.changed) {
    if (replacement) {
      const how = replacement.deleteBeforeReplace ? "replace, deleting the old object first" : "replace";
      lines.push(`+- ${resource.type} ${resource.name} (${how}: ${replacement.because.join(", ")})${keptOnDelete(previous)}`);
    } else if (helmRefused) {
      lines.push(`~ ${resource.type} ${resource.name} [Helm cannot update it: the API server refuses a change of ${helmRefused.join(", ")}]`);
    } else {
      lines.push(`~ ${resource.type} ${resource.name}`);
    }
    for (const c of changes) {
      const sign = c.before === undefined ? "+" : c.after === undefined ? "-" : "~";
      lines.push(`    ${sign} ${c.path}: ${c.before === undefined ? show(c.after) : c.after === undefined ? show(c.before) : `${show(c.before)} => ${show(c.after)}`}`);
    }
  }
  const unknown = diff.changed.filter((c) => !c.replacement && !c.resource.type.startsWith("platform:") && !replacementRulesKnown(c.resource.type));
  if (unknown.length > 0) {
    lines.push(
      `note: ${unknown.length} changed resource${unknown.length === 1 ? "" : "s"} of ${[...new Set(unknown.map((c) => packageOf(c.resource.type)))].join(", ")} ` +
        "shown as updates: the offline diff knows the replacement rules of Kubernetes and random only, pulumi preview decides for the others",
    );
  }
  const refused = [...diff.removed, ...diff.changed.filter((c) => c.replacement).map((c) => c.previous)].filter((r) => r.options.protect);
  if (refused.length > 0) {
    lines.push(
      `warning: ${refused.length} protected resource${refused.length === 1 ? "" : "s"} would be deleted or replaced: pulumi up refuses ` +
        "(and stops there) until each is unprotected on purpose (README: What must never be deleted by accident)",
    );
  }
  const stuck = diff.changed.filter((c) => c.helmRefused);
  if (stuck.length > 0) {
    lines.push(
      `warning: ${stuck.length} object${stuck.length === 1 ? "" : "s"} of Helm releases would change a field the API server refuses to change in place: ` +
        "the release's upgrade fails and rolls back, and pulumi up with it; make the change by hand first (README: Changing what the API server will not update)",
    );
  }
  const replaced = diff.changed.filter((c) => c.replacement).length;
  lines.push(`${diff.added.length} to add, ${diff.removed.length} to delete, ${diff.changed.length - replaced} to update, ${replaced} to replace`);
  return `${lines.join("\n")}\n`;
}
