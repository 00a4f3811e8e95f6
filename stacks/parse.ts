import { z } from "zod";
import { appSecretKeys, AppsSchema, configSecretEnv } from "./apps-schema";
import { crossFieldProblems } from "./cross-field-checks";
import { cacheSecretKeys, type ConfigProblem, requiredSecrets, SECRET_KEYS, type SecretKey, StackSettingsSchema, type ValidatedSettings } from "./schema";
import { AWS_REGION } from "./formats";
import { plainSecret, secretPattern } from "./secret-detection";

export type { ConfigProblem, ValidatedSettings };

/** Every problem in a stack's configuration, reported at once. */
export class PlatformConfigError extends Error {
  constructor(
    readonly stack: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.reason}`).join("\n"),
    );
    this.name = "PlatformConfigError";
  }
}

/** Raw stack configuration as the engine hands it over: key (without the project prefix) → string value. */
export interface RawStackConfig {
  readonly values: Readonly<Record<string, string>>;
  /** Keys whose value is a Pulumi secret; their text is never read here. */
  readonly secretKeys: ReadonlySet<string>;
  /** Keys of other namespaces the stack needs, fully qualified: `aws:region`, `pulumi:disable-default-providers`. */
  readonly otherValues?: Readonly<Record<string, string>>;
  /** Keys Pulumi.yaml declares secret (without the project prefix): encrypted keys a stack may hold unread. */
  readonly declaredSecretKeys: ReadonlySet<string>;
  /** Keys of a namespace no package of the program reads (`platfrom:logLevel`): lost without a word otherwise. */
  readonly foreignKeys?: readonly string[];
  /** The project whose keys `values` holds. */
  readonly project?: string;
}

/** The namespaces of configuration the program's packages read: the project's own and these. */
const PACKAGE_NAMESPACES = ["aws", "kubernetes", "pulumi"];

/** The keys outside the project's namespace that the program reads. */
export const OTHER_KEYS = { awsRegion: "aws:region", disabledDefaultProviders: "pulumi:disable-default-providers" } as const;

/** Default providers that must be disabled, so nothing falls back to the ambient kubeconfig or AWS credentials. */
export const EXPLICIT_PROVIDER_PACKAGES = ["kubernetes", "aws"] as const;

/**
 * Splits configuration as the engine holds it (project-qualified keys) into a RawStackConfig: the project's
 * own keys unqualified, and the other keys the program reads.
 */
export function rawStackConfig(project: string, values: Readonly<Record<string, string>>, secretKeys: Iterable<string>, declaredSecretKeys: Iterable<string>): RawStackConfig {
  const prefix = `${project}:`;
  const own: Record<string, string> = {};
  const other: Record<string, string> = {};
  const wanted = new Set<string>(Object.values(OTHER_KEYS));
  const foreign: string[] = [];
  for (const [key, text] of Object.entries(values)) {
    if (key.startsWith(prefix)) own[key.slice(prefix.length)] = text;
    else if (wanted.has(key)) other[key] = text;
    else if (!PACKAGE_NAMESPACES.includes(key.split(":")[0])) foreign.push(key);
  }
  const secrets = new Set([...secretKeys].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
  return { values: own, secretKeys: secrets, otherValues: other, declaredSecretKeys: new Set(declaredSecretKeys), foreignKeys: foreign.sort(), project };
}

/** Checks that need knowledge beyond the schema (what the builders generate); their problems join the one error. */
export type SettingsCheck = (settings: ValidatedSettings) => readonly ConfigProblem[];

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function describe(value: unknown): string {
  // JSON has no Infinity: a YAML number too large for a double (1e400) would read as "null".
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  const text = JSON.stringify(value);
  return text === undefined ? "nothing" : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as never)[key] : undefined), root);
}

// Pulumi stores every value as a string: numbers, booleans and structured values arrive JSON-encoded,
// while plain strings arrive as-is. Enum and string keys keep the raw text so "0123" stays a string.
function decodeValue(key: string, text: string): unknown {
  const field = (StackSettingsSchema.shape as Record<string, z.ZodType>)[key];
  const kind = field?.def.type;
  if (kind === "string" || kind === "enum") return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// `pulumi config set --path` writes "true"/"false" as booleans, integers as numbers and anything else (a
// decimal too) as a string, whatever the key's type: the stack file the CLI writes then holds
// `errorRatio: "0.05"` or `env: {FEATURE: true}`. Such a scalar is what the user meant in the other spelling.
function cliScalar(expected: string, value: unknown): unknown {
  if (expected === "number" && typeof value === "string" && /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(value)) return Number(value);
  if (expected === "string" && ((typeof value === "number" && Number.isFinite(value)) || typeof value === "boolean")) return String(value);
  if (expected === "boolean" && (value === "true" || value === "false")) return value === "true";
  return undefined;
}

/**
 * Why a number where text belongs cannot be taken as its text, or `undefined` when it can. YAML reads
 * `version: 1.10` as the number 1.1, and the engine hands nested values over as JSON: the text is then the
 * number's spelling there, which is the one written where the stack file reaches the program as it was
 * written (the offline plan: plan/stack-file.ts) and the YAML reader's own otherwise. A spelling JavaScript
 * would not print back (1.10, 1e3, 0.50, more digits than a double keeps) is refused, and so is an integer
 * past 2^53, whose digits may already be gone. A plain integer (`FOO: 123`, as the CLI writes it) is its text.
 */
function numberAsTextProblem(value: number, spelling: string | undefined, quote: boolean): string | undefined {
  if (spelling !== undefined && spelling !== String(value)) {
    return quote ? `YAML reads ${spelling} as the number ${String(value)}; quote it` : "is a number in YAML, not the text written; quote it";
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return `${quote ? `is the number ${String(value)}` : "is a number"}, past the integers a number holds exactly, so its digits may be lost; quote it`;
  }
  return undefined;
}

/**
 * Where a JSON text (a value the engine hands over as JSON) spells a number otherwise than JavaScript prints it
 * back (1.10, 1e3, 12345678901234567890), by key path (pathKey): what JSON.parse loses, read from the source text.
 */
function jsonNumberSpellings(text: string): Map<string, string> {
  const spelled = new WeakMap<object, Map<string, string>>();
  let root: unknown;
  try {
    root = JSON.parse(text, function (this: object, key: string, value: unknown, context?: { source?: string }) {
      const source = context?.source;
      if (typeof value === "number" && source !== undefined && source !== String(value)) {
        const own = spelled.get(this) ?? new Map<string, string>();
        spelled.set(this, own.set(key, source));
      }
      return value;
    });
  } catch {
    return new Map();
  }
  const spellings = new Map<string, string>();
  const walk = (node: unknown, path: readonly PropertyKey[]): void => {
    if (node === null || typeof node !== "object") return;
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, Array.isArray(node) ? Number(key) : key];
      const spelling = spelled.get(node)?.get(key);
      if (spelling !== undefined) spellings.set(pathKey(childPath), spelling);
      walk(child, childPath);
    }
  };
  walk(root, []);
  return spellings;
}

function pathKey(path: readonly PropertyKey[]): string {
  return JSON.stringify(path.map((part) => (typeof part === "number" ? part : String(part))));
}

function setAt(root: unknown, path: readonly PropertyKey[], value: unknown): void {
  const parent = valueAt(root, path.slice(0, -1)) as Record<PropertyKey, unknown>;
  parent[path[path.length - 1]] = value;
}

/**
 * Where a field names the config key of a secret (an app's secretEnv entry, a cache's passwordConfigKey) or
 * where a database's password is (`generated` or an existing Secret), the secret itself is what gets pasted
 * by mistake: its value is never quoted.
 */
export function namesSecretKey(path: readonly PropertyKey[]): boolean {
  return path.at(-1) === "passwordConfigKey" || (path.length >= 2 && path.at(-2) === "secretEnv") || path.includes("password");
}

/** An app's env entry that looks like a secret (by the rule apps-schema refuses it with): no report on it quotes its value. */
function holdsPlainEnvSecret(path: readonly PropertyKey[], value: unknown): boolean {
  return path.length >= 2 && path.at(-2) === "env" && typeof value === "string" && plainSecret(String(path.at(-1)), value) !== undefined;
}

/** A value that visibly holds a secret (a webhook URL, a token: secretPattern) anywhere in it: never quoted. */
function holdsSecretPattern(value: unknown): boolean {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text !== undefined && secretPattern(text) !== undefined;
}

/**
 * The strings inside a plain value that visibly hold a secret (secretPattern), by key path, with the kind of
 * secret. Not where a secret's key name or a password belongs (namesSecretKey), nor in an app's env, whose
 * schema refuses them with advice of its own: both already say nothing of the value.
 */
function pastedSecrets(value: unknown, path: readonly PropertyKey[]): [PropertyKey[], string][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => pastedSecrets(item, [...path, i]));
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([key, item]) => pastedSecrets(item, [...path, key]));
  if (typeof value !== "string" || namesSecretKey(path) || holdsPlainEnvSecret(path, value)) return [];
  const kind = secretPattern(value);
  return kind === undefined ? [] : [[[...path], kind]];
}

/**
 * Schema issues as key-path problems, in the one wording of every configuration error: the path as a user
 * writes it, the schema's reason and the offending value (`replicas: Too small: expected number to be >=1 (got 0)`;
 * not where a secret may have been pasted: namesSecretKey, or an env value that looks like one), "is required
 * but not set" for a missing value, and `unknownKeyReason` for each key the schema does not know.
 * Shared by the stack loader and the library's component arguments (lib/).
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], parsed: unknown, unknownKeyReason: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues.filter((i) => !beyondSafeIntegerBesides(i, issues))) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ path: formatPath([...issue.path, key]), reason: withHiddenCharacters(key, unknownKeyReason) });
      continue;
    }
    const value = valueAt(parsed, issue.path);
    const reason =
      value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")
        ? "is required but not set"
        : `${issue.message.replace(/^Invalid (input|option): /, "")}${namesSecretKey(issue.path) || holdsPlainEnvSecret(issue.path, value) || holdsSecretPattern(value) ? "" : ` (got ${describe(value)})`}`;
    // A value refused for its spelling that holds a look-alike letter reads as right in the report.
    const hidden = typeof value === "string" && issue.code === "invalid_format" ? hiddenCharacters(value, false) : undefined;
    problems.push({ path: formatPath(issue.path), reason: hidden === undefined ? reason : `${reason}; it holds ${hidden}: retype it` });
  }
  return problems;
}

/**
 * zod's int() also bounds an integer to JavaScript's safe range; a huge number then breaks that bound and the
 * key's own (`replicas: 99999999999999999999999`), and only the key's own is worth a line.
 */
function beyondSafeIntegerBesides(issue: z.core.$ZodIssue, all: readonly z.core.$ZodIssue[]): boolean {
  const safeBound = (i: z.core.$ZodIssue) =>
    (i.code === "too_big" && i.maximum === Number.MAX_SAFE_INTEGER) || (i.code === "too_small" && i.minimum === Number.MIN_SAFE_INTEGER);
  const samePath = (i: z.core.$ZodIssue) => i.path.length === issue.path.length && i.path.every((key, n) => key === issue.path[n]);
  return safeBound(issue) && all.some((other) => other !== issue && samePath(other) && !safeBound(other));
}

/**
 * safeParse that takes scalars in the spelling the Pulumi CLI writes them (cliScalar): where the schema
 * expects a number, string or boolean and finds the same scalar spelled otherwise, it converts it and parses
 * again. Any other value keeps its error, and so does a number whose text is not known (numberAsTextProblem:
 * `spellings` are the numbers' spellings by pathKey), with the reason in `refused`, by pathKey. Returns the
 * result and the input as finally parsed.
 */
function safeParseCliScalars<T extends z.ZodType>(
  schema: T,
  input: unknown,
  spellings: ReadonlyMap<string, string> = new Map(),
): { result: z.ZodSafeParseResult<z.output<T>>; value: unknown; refused: Map<string, string> } {
  let value = input;
  const refused = new Map<string, string>();
  // Each round fixes at least one scalar for good; the bound only guards against a schema that disagrees
  // with itself between rounds.
  for (let round = 0; ; round++) {
    const result = schema.safeParse(value);
    if (result.success || round === 100) return { result, value, refused };
    const fixes = result.error.issues.flatMap((issue) => {
      if (issue.code !== "invalid_type") return [];
      const current = valueAt(value, issue.path);
      const converted = cliScalar(issue.expected, current);
      if (converted === undefined) return [];
      const problem = typeof current === "number" ? numberAsTextProblem(current, spellings.get(pathKey(issue.path)), !namesSecretKey(issue.path)) : undefined;
      if (problem !== undefined) {
        refused.set(pathKey(issue.path), problem);
        return [];
      }
      return [{ path: issue.path, converted }];
    });
    if (fixes.length === 0) return { result, value, refused };
    if (fixes.some((fix) => fix.path.length === 0)) value = fixes[0].converted;
    else {
      value = structuredClone(value);
      for (const fix of fixes) setAt(value, fix.path, fix.converted);
    }
  }
}

/**
 * Validates a stack's raw configuration into plain settings, or throws one PlatformConfigError naming every
 * offending key path. Secrets are only checked for presence and for being stored encrypted; no secret value
 * is ever read here, and none is ever quoted in a message.
 */
export function parseStackSettings(stack: string, raw: RawStackConfig, checks: readonly SettingsCheck[] = []): ValidatedSettings {
  const problems: ConfigProblem[] = [];
  const plain: Record<string, unknown> = {};
  // Apps name further secret keys (secretEnv). They are read from the raw list too, so an app with another
  // mistake does not turn its secrets into "unknown key" reports.
  const rawApps = raw.values.apps === undefined ? undefined : decodeValue("apps", raw.values.apps);
  const apps = rawApps === undefined || raw.secretKeys.has("apps") ? undefined : safeParseCliScalars(AppsSchema, rawApps).result;
  const rawCaches = raw.values.caches === undefined ? undefined : decodeValue("caches", raw.values.caches);
  const secretKeys = new Set<string>([
    ...SECRET_KEYS,
    ...(apps?.success ? appSecretKeys(apps.data) : namedSecretKeys(rawApps)),
    ...cacheSecretKeys(rawCaches),
  ]);
  // A key the platform reads in plain text but the stack stores encrypted, as a whole or in part (a `secure:`
  // entry nested in an object): its decrypted value would end up in plain resources, so it is refused, and
  // nothing about its content is validated or quoted. (Unknown keys stay "unknown key".)
  const schemaKeys = new Set(Object.keys(StackSettingsSchema.shape));
  const plainKeysHoldingSecrets = new Set([...raw.secretKeys].filter((key) => schemaKeys.has(key) && !secretKeys.has(key)));
  for (const key of [...plainKeysHoldingSecrets].sort()) {
    problems.push({
      path: key,
      reason:
        "holds a secret value (a secure: entry), but the platform uses this key in plain text, where the secret would leak; " +
        "store each secret in a key of its own (pulumi config set --secret <key> <value>) and reference it, e.g. from an app's secretEnv",
    });
  }
  for (const [key, text] of Object.entries(raw.values)) {
    if (secretKeys.has(key) || plainKeysHoldingSecrets.has(key)) continue;
    // An encrypted key nothing in this stack reads (the CLI requires every secret Pulumi.yaml declares in
    // every stack, so a stack sets the ones it does not use to any value): never read, never parsed. Any
    // other encrypted key is a typo (pagerDutyRoutingKey) whose secret would silently go unused.
    if (raw.secretKeys.has(key) && !schemaKeys.has(key)) {
      if (!raw.declaredSecretKeys.has(key)) problems.push({ path: key, reason: withHiddenCharacters(key, UNKNOWN_KEY) });
      continue;
    }
    plain[key] = decodeValue(key, text);
  }

  // Each key on its own, so the keys that did validate are known even when others did not.
  const shape = StackSettingsSchema.shape as Record<string, z.ZodType>;
  const valid: Record<string, unknown> = {};
  const parsed: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (plainKeysHoldingSecrets.has(key)) continue;
    // A secret pasted into a key the platform uses in plain text (a webhook URL in slackChannel or runbookBaseUrl,
    // a token in kubeContext) would be written into the plan, the state and the resources: refused, never quoted,
    // and in place of any other report on that value, which would quote it.
    const pasted = pastedSecrets(plain[key], [key]);
    for (const [path, kind] of pasted) {
      problems.push({
        path: formatPath(path),
        reason:
          `holds a secret (${kind}), which this key would put in plain text into the plan, the state and the resources; the value is not repeated here. ` +
          "A secret goes in a key of its own: pulumi config set --secret <key> <value>",
      });
    }
    const pastedPaths = new Set(pasted.map(([path]) => formatPath(path)));
    const text = raw.values[key];
    const { result, value, refused } = safeParseCliScalars(schema, plain[key], text === undefined ? undefined : jsonNumberSpellings(text));
    parsed[key] = value;
    if (result.success) {
      if (pasted.length === 0) valid[key] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      if (beyondSafeIntegerBesides(issue, result.error.issues)) continue;
      if (issue.code !== "unrecognized_keys" && pastedPaths.has(formatPath([key, ...issue.path]))) continue;
      const reason = refused.get(pathKey(issue.path));
      const path = [key, ...issue.path];
      problems.push(...(reason === undefined ? issueProblems([{ ...issue, path }], parsed, UNKNOWN_KEY) : [{ path: formatPath(path), reason }]));
    }
  }
  for (const key of Object.keys(plain)) if (!(key in shape)) problems.push({ path: key, reason: withHiddenCharacters(key, UNKNOWN_KEY) });
  for (const key of raw.foreignKeys ?? []) {
    const reason = `unknown key: no package of this program reads the namespace "${key.split(":")[0]}" (${[raw.project ?? "the project's", ...PACKAGE_NAMESPACES].join(", ")})`;
    problems.push({ path: key, reason: withHiddenCharacters(key, reason) });
  }

  // The stacks named for an environment are that environment: production's stack file saying "staging" would
  // skip every production-only check and still deploy to production.
  if ((stack === "staging" || stack === "production") && valid.environment !== undefined && valid.environment !== stack) {
    problems.push({ path: "environment", reason: `must be "${stack}" in the ${stack} stack; it decides paging, high availability, retention and every ${stack}-only check (got ${describe(valid.environment)})` });
  }

  const region = providerProblems(raw);
  problems.push(...region.problems);
  if (region.awsRegion !== undefined) valid.awsRegion = region.awsRegion;
  problems.push(...crossFieldProblems(valid as Partial<ValidatedSettings>));
  const settings = Object.keys(shape).every((key) => key in valid) && "awsRegion" in valid ? (valid as ValidatedSettings) : undefined;
  // Only a stack that passed every check above is worth asking what its builders would generate.
  if (settings && problems.length === 0) for (const check of checks) problems.push(...check(settings));

  const environment = typeof plain.environment === "string" ? plain.environment : undefined;
  const pagerdutyEnabled = plain.pagerdutyEnabled === true;
  const required = environment === "staging" || environment === "production" ? requiredSecrets({ environment, pagerdutyEnabled }) : [];
  for (const key of SECRET_KEYS) {
    if (!(key in raw.values)) {
      if (required.includes(key)) problems.push({ path: key, reason: `secret is required in ${environment}: pulumi config set --secret ${key} <value>` });
    } else if (!raw.secretKeys.has(key)) {
      problems.push({ path: key, reason: plainTextReason(key) });
    }
  }

  apps?.data?.forEach((app, i) => {
    for (const [variable, key] of Object.entries(configSecretEnv(app))) {
      if (!(key in raw.values)) {
        problems.push({ path: `apps[${i}].secretEnv.${variable}`, reason: unsetSecretReason(key, raw.declaredSecretKeys) });
      } else if (!raw.secretKeys.has(key) && !problems.some((p) => p.path === key)) {
        problems.push({ path: key, reason: plainTextReason(key) });
      }
    }
  });

  (valid as Partial<ValidatedSettings>).caches?.forEach((cache, i) => {
    const key = cache.passwordConfigKey;
    if (key === undefined) return;
    if (!(key in raw.values)) {
      problems.push({ path: `caches[${i}].passwordConfigKey`, reason: unsetSecretReason(key, raw.declaredSecretKeys) });
    } else if (!raw.secretKeys.has(key)) {
      problems.push({ path: key, reason: plainTextReason(key) });
    }
  });

  if (problems.length > 0 || !settings) throw new PlatformConfigError(stack, problems);
  return settings;
}

const UNKNOWN_KEY = "unknown key (check the spelling; Pulumi.yaml lists every key)";

/**
 * The characters of a text that read as something else, by code point and place: a Cyrillic а in `teаm`, a
 * no-break or zero-width space, anything but printable ASCII (and, in a key's name, a space). With them the
 * spelling looks right, and a report that only quoted it would not say what is wrong.
 */
function hiddenCharacters(text: string, inName: boolean): string | undefined {
  const visible = inName ? /[\x21-\x7e]/ : /[\x20-\x7e]/;
  const hidden = [...text].flatMap((c, i) => (visible.test(c) ? [] : [`U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} at character ${i + 1}`]));
  if (hidden.length === 0) return undefined;
  return `${hidden.length === 1 ? "a character" : "characters"} other than plain ASCII letters, digits and signs (${hidden.join(", ")}), a look-alike letter or an invisible space`;
}

/** An unknown key's reason, naming the characters of its name that read as something else. */
function withHiddenCharacters(name: string, reason: string): string {
  const hidden = hiddenCharacters(name, true);
  return hidden === undefined ? reason : `${reason}; its name holds ${hidden}: retype the name`;
}

/**
 * Why the secret an app or a cache names is missing. Its key's name is quoted only where Pulumi.yaml declares
 * it: anything else in that place may be the secret itself, pasted instead of its key's name (the schema only
 * asks for letters and digits, as many a password has). A declared key close to it is suggested instead.
 */
function unsetSecretReason(key: string, declared: ReadonlySet<string>): string {
  if (declared.has(key)) return `reads the secret ${key}, which is not set: pulumi config set --secret ${key} <value>`;
  const near = [...declared].sort().find((name) => editDistance(name, key) <= 2);
  return (
    `names a secret's config key that is neither set nor declared in Pulumi.yaml${near === undefined ? "" : ` (did you mean ${near}?)`}; ` +
    "its name is not repeated here in case it is a pasted secret: store the secret with pulumi config set --secret <key> <value>, " +
    "declare <key> with secret: true in Pulumi.yaml and name <key> here"
  );
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

// A value in aws:region is quoted only when it looks like a region gone wrong (EU-WEST-1, eu-west, eu-west1):
// a secret pasted there by mistake is not.
const REGION_LIKE = /^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)(-?\d{1,2})?$/i;

function plainTextReason(key: string): string {
  return `is stored in plain text; set it again with pulumi config set --secret ${key} <value>`;
}

/**
 * The target keys outside the project's namespace: the AWS region (returned when it is one) and the disabled
 * default providers.
 */
function providerProblems(raw: RawStackConfig): { problems: ConfigProblem[]; awsRegion?: string } {
  const problems: ConfigProblem[] = [];
  const region = raw.otherValues?.[OTHER_KEYS.awsRegion];
  const isRegion = region !== undefined && AWS_REGION.test(region);
  if (region === undefined) {
    problems.push({ path: OTHER_KEYS.awsRegion, reason: "is required but not set: pulumi config set aws:region <region>" });
  } else if (!isRegion) {
    const got = REGION_LIKE.test(region) ? `got ${describe(region)}` : "the value is not repeated here, as it looks like no region";
    problems.push({ path: OTHER_KEYS.awsRegion, reason: `must be an AWS region such as eu-west-1 (${got})` });
  }
  const text = raw.otherValues?.[OTHER_KEYS.disabledDefaultProviders];
  let disabled: unknown;
  try {
    disabled = text === undefined ? undefined : JSON.parse(text);
  } catch {
    disabled = text;
  }
  const list = Array.isArray(disabled) ? disabled.map(String) : [];
  const missing = EXPLICIT_PROVIDER_PACKAGES.filter((p) => !list.includes(p) && !list.includes("*"));
  if (missing.length > 0) {
    problems.push({
      path: OTHER_KEYS.disabledDefaultProviders,
      reason:
        `must list ${EXPLICIT_PROVIDER_PACKAGES.join(" and ")}, so that no resource can fall back to the ambient kubeconfig or AWS credentials ` +
        `(got ${describe(disabled)})`,
    });
  }
  return { problems, ...(isRegion ? { awsRegion: region } : {}) };
}

/** secretEnv values of a raw apps list that did not validate, as far as they are strings. */
function namedSecretKeys(rawApps: unknown): string[] {
  if (!Array.isArray(rawApps)) return [];
  return rawApps.flatMap((app) => {
    const secretEnv = app !== null && typeof app === "object" ? (app as { secretEnv?: unknown }).secretEnv : undefined;
    return secretEnv !== null && typeof secretEnv === "object" ? Object.values(secretEnv).filter((v): v is string => typeof v === "string") : [];
  });
}

export type { SecretKey };
