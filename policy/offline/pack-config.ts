import * as fs from "node:fs";
import * as path from "node:path";
import type { EnforcementLevel, PolicyPackArgs, PolicyPackConfig } from "@pulumi/policy";

/**
 * Pack config the way the Pulumi CLI reconciles it before handing it to the analyzer (pkg/resource/analyzer
 * ReconcilePolicyPackConfig): schema defaults first, then `all`, then each policy's entry on top; the
 * enforcement level is split off and the rest is what `args.getConfig()` returns. It is also checked more
 * strictly than the CLI does: an unknown policy or property is an error here, where the CLI would silently
 * ignore a typo such as `allowedLoadBalancer` and leave the stack on the default.
 */

export const PACK_CONFIG_DIR = path.resolve(__dirname, "..", "config");

export interface ResolvedPolicyConfig {
  readonly enforcementLevel: EnforcementLevel;
  readonly properties: Readonly<Record<string, unknown>>;
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The committed pack config of a stack: policy/config/<stack>.json, as `--policy-pack-config` reads it. */
export function loadPackConfig(stack: string): PolicyPackConfig {
  const file = path.join(PACK_CONFIG_DIR, `${stack}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`no policy pack config for stack "${stack}": create ${path.relative(process.cwd(), file) || file}`);
  }
  return JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfig;
}

type Schema = Record<string, unknown>;

const SCHEMA_KEYWORDS = new Set(["type", "items", "enum", "minimum", "maximum", "properties", "additionalProperties", "required", "description", "default"]);

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

/** JSON Schema, the subset the pack's configSchemas use; any other keyword is reported so it is not silently ignored. */
function schemaProblems(value: unknown, schema: Schema, at: string): string[] {
  const problems: string[] = [];
  for (const keyword of Object.keys(schema)) {
    if (!SCHEMA_KEYWORDS.has(keyword)) problems.push(`${at}: schema keyword "${keyword}" is not supported by the offline runner`);
  }
  const actual = typeOf(value);
  const expected = schema.type as string | undefined;
  if (expected && !(actual === expected || (expected === "number" && actual === "integer"))) {
    return [...problems, `${at}: expected ${expected}, got ${actual} ${JSON.stringify(value)}`];
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${at}: expected one of ${schema.enum.map((e) => JSON.stringify(e)).join("|")}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === "number" && typeof schema.minimum === "number" && value < schema.minimum) {
    problems.push(`${at}: must be at least ${schema.minimum}, got ${value}`);
  }
  if (typeof value === "number" && typeof schema.maximum === "number" && value > schema.maximum) {
    problems.push(`${at}: must be at most ${schema.maximum}, got ${value}`);
  }
  if (Array.isArray(value) && schema.items && typeof schema.items === "object") {
    value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items as Schema, `${at}[${i}]`)));
  }
  if (actual === "object") problems.push(...objectProblems(value as Record<string, unknown>, schema, at));
  return problems;
}

function objectProblems(value: Record<string, unknown>, schema: Schema, at: string): string[] {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const additional = schema.additionalProperties as Schema | boolean | undefined;
  const problems: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const where = at === "" ? key : `${at}.${key}`;
    if (properties[key]) problems.push(...schemaProblems(v, properties[key], where));
    else if (typeof additional === "object") problems.push(...schemaProblems(v, additional, where));
    else problems.push(`${where}: unknown property (known: ${Object.keys(properties).join(", ") || "none"})`);
  }
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (value[key] === undefined) problems.push(`${at === "" ? key : `${at}.${key}`}: is required`);
  }
  return problems;
}

function isLevel(value: unknown): value is EnforcementLevel {
  return LEVELS.includes(value as EnforcementLevel);
}

/** Each policy's enforcement level and config properties for this pack config; throws listing every problem. */
export function resolvePackConfig(pack: PolicyPackArgs, config: PolicyPackConfig): Map<string, ResolvedPolicyConfig> {
  const problems: string[] = [];
  const byName = new Map(pack.policies.map((p) => [p.name, p]));
  const resolved = new Map<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>();
  for (const policy of pack.policies) {
    const defaults = Object.entries(policy.configSchema?.properties ?? {})
      .filter(([, schema]) => typeof schema === "object" && schema.default !== undefined)
      .map(([key, schema]) => [key, (schema as Schema).default]);
    resolved.set(policy.name, {
      enforcementLevel: policy.enforcementLevel ?? pack.enforcementLevel ?? "advisory",
      properties: Object.fromEntries(defaults),
    });
  }
  const all = config.all;
  const allLevel = typeof all === "string" ? all : all?.enforcementLevel;
  if (all !== undefined) {
    if (isLevel(allLevel)) for (const entry of resolved.values()) entry.enforcementLevel = allLevel;
    else problems.push(`all: ${JSON.stringify(allLevel)} is not an enforcement level (${LEVELS.join("|")})`);
  }
  for (const [name, entry] of Object.entries(config)) {
    if (name === "all") continue;
    const target = resolved.get(name);
    if (!target) {
      problems.push(`${name}: unknown policy (known: ${[...byName.keys()].join(", ")})`);
      continue;
    }
    const { enforcementLevel, ...properties } = typeof entry === "string" ? { enforcementLevel: entry } : entry;
    if (enforcementLevel !== undefined) {
      if (isLevel(enforcementLevel)) target.enforcementLevel = enforcementLevel;
      else problems.push(`${name}.enforcementLevel: ${JSON.stringify(enforcementLevel)} is not one of ${LEVELS.join("|")}`);
    }
    Object.assign(target.properties, properties);
  }
  for (const [name, entry] of resolved) {
    const schema = byName.get(name)?.configSchema;
    const objectSchema = { properties: schema?.properties ?? {}, required: schema?.required };
    problems.push(...objectProblems(entry.properties, objectSchema, "").map((p) => `${name}.${p}`));
  }
  if (problems.length > 0) {
    throw new Error(`Invalid policy pack config (${problems.length} ${problems.length === 1 ? "problem" : "problems"}):\n  - ${problems.join("\n  - ")}`);
  }
  return resolved;
}
