import { z } from "zod";
import { appSecretKeys, appsProblems, AppsSchema, configSecretEnv } from "./apps-schema";
import { BACKUP_STARTING_DEADLINE_SECONDS, DEFAULT_BACKUP_RUN_DEADLINE, longestHealthyBackupGapSeconds } from "./backup-job-timing";
import { durationSeconds, longestScheduleGapSeconds } from "./formats";
import { cacheSecretKeys, EKS_CLUSTER_ARN, grafanaHostname, PLATFORM_SYSTEM_NAMESPACES, requiredSecrets, SECRET_KEYS, type SecretKey, type StackSettings, StackSettingsSchema } from "./schema";

/** One offending key: its path as a user would write it with `pulumi config set --path`, and why. */
export interface ConfigProblem {
  readonly path: string;
  readonly reason: string;
}

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
}

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
  for (const [key, text] of Object.entries(values)) {
    if (key.startsWith(prefix)) own[key.slice(prefix.length)] = text;
    else if (wanted.has(key)) other[key] = text;
  }
  const secrets = new Set([...secretKeys].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)));
  return { values: own, secretKeys: secrets, otherValues: other, declaredSecretKeys: new Set(declaredSecretKeys) };
}

/** Settings validated from a stack file, with the AWS region its explicit provider targets. */
export type ValidatedSettings = StackSettings & { readonly awsRegion: string };

/** Checks that need knowledge beyond the schema (what the builders generate); their problems join the one error. */
export type SettingsCheck = (settings: ValidatedSettings) => readonly ConfigProblem[];

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

function describe(value: unknown): string {
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

function setAt(root: unknown, path: readonly PropertyKey[], value: unknown): void {
  const parent = valueAt(root, path.slice(0, -1)) as Record<PropertyKey, unknown>;
  parent[path[path.length - 1]] = value;
}

// Where a field names the config key of a secret (an app's secretEnv entry, a cache's passwordConfigKey), the
// secret itself is what gets pasted by mistake: its value is never quoted.
function namesSecretKey(path: readonly PropertyKey[]): boolean {
  return path.at(-1) === "passwordConfigKey" || (path.length >= 2 && path.at(-2) === "secretEnv");
}

/**
 * Schema issues as key-path problems, in the one wording of every configuration error: the path as a user
 * writes it, the schema's reason and the offending value (`replicas: Too small: expected number to be >=1 (got 0)`;
 * not where a secret may have been pasted: namesSecretKey), "is required but not set" for a missing value, and
 * `unknownKeyReason` for each key the schema does not know.
 * Shared by the stack loader and the library's component arguments (lib/).
 */
export function issueProblems(issues: readonly z.core.$ZodIssue[], parsed: unknown, unknownKeyReason: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.push({ path: formatPath([...issue.path, key]), reason: unknownKeyReason });
      continue;
    }
    const value = valueAt(parsed, issue.path);
    const reason =
      value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")
        ? "is required but not set"
        : `${issue.message.replace(/^Invalid (input|option): /, "")}${namesSecretKey(issue.path) ? "" : ` (got ${describe(value)})`}`;
    problems.push({ path: formatPath(issue.path), reason });
  }
  return problems;
}

/**
 * safeParse that takes scalars in the spelling the Pulumi CLI writes them (cliScalar): where the schema
 * expects a number, string or boolean and finds the same scalar spelled otherwise, it converts it and parses
 * again. Any other value keeps its error. Returns the result and the input as finally parsed.
 */
function safeParseCliScalars<T extends z.ZodType>(schema: T, input: unknown): { result: z.ZodSafeParseResult<z.output<T>>; value: unknown } {
  let value = input;
  // Each round fixes at least one scalar for good; the bound only guards against a schema that disagrees
  // with itself between rounds.
  for (let round = 0; ; round++) {
    const result = schema.safeParse(value);
    if (result.success || round === 100) return { result, value };
    const fixes = result.error.issues.flatMap((issue) => {
      if (issue.code !== "invalid_type" || issue.path.length === 0) return [];
      const converted = cliScalar(issue.expected, valueAt(value, issue.path));
      return converted === undefined ? [] : [{ path: issue.path, converted }];
    });
    if (fixes.length === 0) return { result, value };
    value = structuredClone(value);
    for (const fix of fixes) setAt(value, fix.path, fix.converted);
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
      if (!raw.declaredSecretKeys.has(key)) problems.push({ path: key, reason: UNKNOWN_KEY });
      continue;
    }
    plain[key] = decodeValue(key, text);
  }

  const { result, value: parsed } = safeParseCliScalars(StackSettingsSchema, plain);
  if (!result.success) {
    const issues = result.error.issues.filter((issue) => !plainKeysHoldingSecrets.has(String(issue.path[0])));
    problems.push(...issueProblems(issues, parsed, UNKNOWN_KEY));
  }

  // The stacks named for an environment are that environment: production's stack file saying "staging" would
  // skip every production-only check and still deploy to production.
  if ((stack === "staging" || stack === "production") && typeof plain.environment === "string" && plain.environment !== stack) {
    problems.push({ path: "environment", reason: `must be "${stack}" in the ${stack} stack; it decides paging, high availability, retention and every ${stack}-only check (got ${describe(plain.environment)})` });
  }

  const awsRegion = raw.otherValues?.[OTHER_KEYS.awsRegion];
  problems.push(...providerProblems(raw));
  const settings = result.success && awsRegion !== undefined ? { ...result.data, awsRegion } : undefined;
  if (settings) {
    problems.push(...crossFieldProblems(settings));
    // Only a stack that passed every check above is worth asking what its builders would generate.
    if (problems.length === 0) for (const check of checks) problems.push(...check(settings));
  }

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
        problems.push({ path: `apps[${i}].secretEnv.${variable}`, reason: `reads the secret ${key}, which is not set: pulumi config set --secret ${key} <value>` });
      } else if (!raw.secretKeys.has(key) && !problems.some((p) => p.path === key)) {
        problems.push({ path: key, reason: plainTextReason(key) });
      }
    }
  });

  settings?.caches.forEach((cache, i) => {
    const key = cache.passwordConfigKey;
    if (key === undefined) return;
    if (!(key in raw.values)) {
      problems.push({ path: `caches[${i}].passwordConfigKey`, reason: `reads the secret ${key}, which is not set: pulumi config set --secret ${key} <value>` });
    } else if (!raw.secretKeys.has(key)) {
      problems.push({ path: key, reason: plainTextReason(key) });
    }
  });

  if (problems.length > 0 || !settings) throw new PlatformConfigError(stack, problems);
  return settings;
}

const UNKNOWN_KEY = "unknown key (check the spelling; Pulumi.yaml lists every key)";

function plainTextReason(key: string): string {
  return `is stored in plain text; set it again with pulumi config set --secret ${key} <value>`;
}

/** The target keys outside the project's namespace: the AWS region and the disabled default providers. */
function providerProblems(raw: RawStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const region = raw.otherValues?.[OTHER_KEYS.awsRegion];
  if (region === undefined) {
    problems.push({ path: OTHER_KEYS.awsRegion, reason: "is required but not set: pulumi config set aws:region <region>" });
  } else if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
    problems.push({ path: OTHER_KEYS.awsRegion, reason: `must be an AWS region such as eu-west-1 (got ${describe(region)})` });
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
  return problems;
}

/** secretEnv values of a raw apps list that did not validate, as far as they are strings. */
function namedSecretKeys(rawApps: unknown): string[] {
  if (!Array.isArray(rawApps)) return [];
  return rawApps.flatMap((app) => {
    const secretEnv = app !== null && typeof app === "object" ? (app as { secretEnv?: unknown }).secretEnv : undefined;
    return secretEnv !== null && typeof secretEnv === "object" ? Object.values(secretEnv).filter((v): v is string => typeof v === "string") : [];
  });
}

/**
 * The node agents' namespace exists, is not the monitoring namespace (the point of a namespace of their own:
 * Prometheus, Alertmanager, Grafana, Loki and Tempo are never admitted with host access), and enforces the
 * privileged level, without which PSA refuses every node-exporter and Alloy pod and the DaemonSets stay empty.
 */
function nodeAgentsNamespaceProblems(settings: ValidatedSettings, names: readonly string[]): ConfigProblem[] {
  const name = settings.nodeAgentsNamespace;
  const index = names.indexOf(name);
  if (index < 0) return [{ path: "nodeAgentsNamespace", reason: `"${name}" is not one of the configured namespaces (${names.join(", ")})` }];
  if (name === settings.monitoringNamespace) {
    return [
      {
        path: "nodeAgentsNamespace",
        reason: `must not be the monitoring namespace: the node agents need host access (PSA privileged), which the monitoring workloads must not have (got ${JSON.stringify(name)})`,
      },
    ];
  }
  const problems: ConfigProblem[] = [];
  const level = settings.namespaces[index].podSecurity;
  if (level !== "privileged") {
    problems.push({
      path: `namespaces[${index}].podSecurity`,
      reason:
        `must be "privileged" in the node agents' namespace (nodeAgentsNamespace): node-exporter uses the host's network and PID namespaces ` +
        `and mounts /, /proc and /sys, Alloy mounts /var/log (got ${JSON.stringify(level)})`,
    });
  }
  // Nothing there is checked against restricted, and no OTLP path leads out of it: an app belongs elsewhere.
  settings.apps.forEach((app, i) => {
    if (app.namespace === name) {
      problems.push({ path: `apps[${i}].namespace`, reason: `is the node agents' namespace, the one namespace that admits host access; run apps in an app namespace (got ${JSON.stringify(name)})` });
    }
  });
  return problems;
}

function crossFieldProblems(settings: ValidatedSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  // The context `aws eks update-kubeconfig` writes names the cluster's account, region and name: a stack
  // whose context points at another cluster than its own settings describe is refused before anything runs.
  const eks = EKS_CLUSTER_ARN.exec(settings.kubeContext);
  if (eks) {
    const [, region, account, cluster] = eks;
    const mismatches: string[] = [];
    if (account !== settings.awsAccountId) mismatches.push(`account ${account}, not awsAccountId ${settings.awsAccountId}`);
    if (region !== settings.awsRegion) mismatches.push(`region ${region}, not aws:region ${settings.awsRegion}`);
    if (cluster !== settings.clusterName) mismatches.push(`cluster ${cluster}, not clusterName ${settings.clusterName}`);
    if (mismatches.length > 0) {
      problems.push({ path: "kubeContext", reason: `names an EKS cluster in ${mismatches.join(", ")} (got ${JSON.stringify(settings.kubeContext)})` });
    }
  }
  const names = settings.namespaces.map((ns) => ns.name);
  const known = new Set(names);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) problems.push({ path: `namespaces[${i}].name`, reason: `duplicate namespace "${name}"` });
  });
  for (const [key, list] of [["databases", settings.databases], ["caches", settings.caches]] as const) {
    const names = list.map((entry) => entry.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) problems.push({ path: `${key}[${i}].name`, reason: `duplicate ${key === "databases" ? "database" : "cache"} "${name}"` });
    });
  }
  if (settings.databases.some((db) => db.backup.enabled) && settings.oidcProviderArn === "") {
    problems.push({ path: "oidcProviderArn", reason: "is required when a database has backups enabled (the backup jobs reach S3 through an IRSA role)" });
  }
  if (settings.monitoring.loki.storage === "s3" && settings.oidcProviderArn === "") {
    problems.push({ path: "oidcProviderArn", reason: "is required when monitoring.loki.storage is s3 (Loki reaches S3 through an IRSA role)" });
  }
  if (settings.monitoring.tempo.storage === "s3" && settings.oidcProviderArn === "") {
    problems.push({ path: "oidcProviderArn", reason: "is required when monitoring.tempo.storage is s3 (Tempo reaches S3 through an IRSA role)" });
  }
  if (settings.environment === "production") {
    const ha: [string, number, number][] = [
      ["monitoring.prometheus.replicas", settings.monitoring.prometheus.replicas, 2],
      ["monitoring.alertmanager.replicas", settings.monitoring.alertmanager.replicas, 3],
    ];
    for (const [path, value, minimum] of ha) {
      if (value < minimum) problems.push({ path, reason: `production runs at least ${minimum} for high availability (got ${value})` });
    }
  }
  problems.push(
    ...appsProblems(settings.apps, { ...settings, reservedHostnames: { [grafanaHostname(settings.domain)]: "Grafana" }, secretsManagerPrefix: settings.secretsManagerPrefix }),
  );
  problems.push(...sloRetentionProblems(settings));
  // Let's Encrypt's staging CA is in no browser's trust store: production serving its certificates is an outage.
  if (settings.environment === "production" && settings.certificateIssuer !== "production") {
    problems.push({
      path: "certificateIssuer",
      reason: `production must use the production issuer (Let's Encrypt's production ACME endpoint); staging certificates are trusted by no browser (got ${JSON.stringify(settings.certificateIssuer)})`,
    });
  }
  for (const [namespace, what] of Object.entries(PLATFORM_SYSTEM_NAMESPACES)) {
    if (!known.has(namespace)) {
      problems.push({ path: "namespaces", reason: `must include the platform namespace "${namespace}" (${what}), with its quota and limits` });
    }
  }
  problems.push(...backupProblems(settings));
  if (settings.databases.some((db) => db.backup.enabled) && !known.has(settings.backupNamespace)) {
    problems.push({ path: "backupNamespace", reason: `"${settings.backupNamespace}" is not one of the configured namespaces (${names.join(", ")})` });
  }
  if (!known.has(settings.monitoringNamespace)) {
    problems.push({
      path: "monitoringNamespace",
      reason: `"${settings.monitoringNamespace}" is not one of the configured namespaces (${names.join(", ")})`,
    });
  }
  problems.push(...nodeAgentsNamespaceProblems(settings, names));
  settings.namespaces.forEach((ns, i) => {
    const refs: [string, string[]][] = [
      ["ingressFromNamespaces", ns.ingressFromNamespaces],
      ["egress.namespaces", ns.egress.namespaces],
    ];
    for (const [field, list] of refs) {
      list.forEach((ref, j) => {
        // The platform deploys no ingress controller (or any other namespace): an allowance for a namespace it
        // does not create would depend on something it does not run.
        if (!known.has(ref) && ref !== "kube-system") {
          problems.push({
            path: `namespaces[${i}].${field}[${j}]`,
            reason: `"${ref}" is neither a configured namespace nor kube-system`,
          });
        }
      });
    }
  });
  return problems;
}

/**
 * An SLO's error budget is counted over its whole window (a sum_over_time of the window): with fewer days of
 * samples kept, the budget silently covers only those, and the Application dashboard's remaining budget is a
 * shorter window's under the SLO's name.
 */
function sloRetentionProblems(settings: ValidatedSettings): ConfigProblem[] {
  const kept = durationSeconds(settings.metricsRetention)!;
  return settings.apps.flatMap((app, i) =>
    app.slos && durationSeconds(app.slos.window)! > kept
      ? [
          {
            path: `apps[${i}].slos.window`,
            reason:
              `${app.slos.window} is longer than metricsRetention (${settings.metricsRetention}): Prometheus keeps ${settings.metricsRetention} of samples, so the ` +
              `error budget would cover ${settings.metricsRetention} of requests only; raise metricsRetention to at least ${app.slos.window} ` +
              `(with monitoring.prometheus.retentionSize and storageSize to hold it)`,
          },
        ]
      : [],
  );
}

/** Backups whose recovery point the stack could not keep, or whose alerts would fire between runs. */
function backupProblems(settings: ValidatedSettings): ConfigProblem[] {
  if (!settings.databases.some((db) => db.backup.enabled)) {
    // What the policy stack-backups-and-critical-alerts (mandatory in production) would block after the plan:
    // each database with backups enabled gets a backup CronJob, never suspended, and nothing else does.
    if (settings.environment !== "production") return [];
    return [{ path: "databases", reason: "production must back up at least one database (backup.enabled: true); the policy stack-backups-and-critical-alerts blocks a production stack without a backup CronJob" }];
  }
  const problems: ConfigProblem[] = [];
  if (settings.environment === "production" && settings.backupReplicaRegion === "") {
    problems.push({ path: "backupReplicaRegion", reason: "production keeps an off-site copy of its backups: set a second AWS region, e.g. eu-central-1" });
  }
  if (settings.backupReplicaRegion === settings.awsRegion) {
    problems.push({ path: "backupReplicaRegion", reason: `is the stack's own region (aws:region ${settings.awsRegion}); the off-site replica needs a second region` });
  }
  const gap = longestScheduleGapSeconds(settings.backupSchedule);
  if (gap === Infinity) {
    problems.push({ path: "backupSchedule", reason: `never runs: no date matches "${settings.backupSchedule}"` });
  } else {
    problems.push(...backupMaxAgeProblems(settings, gap));
  }
  return problems;
}

/**
 * BackupTooOld fires when no backup succeeded within maxAge. A healthy backup can take longer than the
 * schedule's gap to succeed again: its run may start up to the CronJob's starting deadline late, and take up
 * to its run deadline (a failed first attempt and a retry). maxAge must cover the sum, for the database with
 * the longest run deadline, or a late but healthy retry pages.
 */
function backupMaxAgeProblems(settings: ValidatedSettings, gap: number): ConfigProblem[] {
  const maxAge = settings.alertThresholds.backups.maxAge;
  const backedUp = settings.databases.map((db, i) => ({ db, i })).filter(({ db }) => db.backup.enabled);
  const deadline = ({ db }: (typeof backedUp)[number]) => db.backup.runDeadline ?? DEFAULT_BACKUP_RUN_DEADLINE;
  const slowest = backedUp.reduce((a, b) => (durationSeconds(deadline(b))! > durationSeconds(deadline(a))! ? b : a));
  const needed = longestHealthyBackupGapSeconds(gap, deadline(slowest));
  if (durationSeconds(maxAge)! >= needed) return [];
  const runDeadline = slowest.db.backup.runDeadline === undefined ? `${DEFAULT_BACKUP_RUN_DEADLINE}, the default` : `databases[${slowest.i}].backup.runDeadline`;
  return [
    {
      path: "alertThresholds.backups.maxAge",
      reason:
        `${maxAge} is shorter than a healthy backup of "${slowest.db.name}" may take to succeed again, ${hours(needed)}: ` +
        `backupSchedule runs up to ${hours(gap)} apart, the CronJob may start a run up to ${hours(BACKUP_STARTING_DEADLINE_SECONDS)} late (startingDeadlineSeconds) ` +
        `and the run may take ${deadline(slowest)} with its retry (${runDeadline}); BackupTooOld would page for a late but healthy backup: ` +
        `raise maxAge to at least ${hours(needed)}, back up more often or shorten the run deadline`,
    },
  ];
}

/** Seconds as hours, e.g. 104400 → 29h, 5400 → 1.5h. */
const hours = (seconds: number) => `${Number((seconds / 3600).toFixed(2))}h`;

export type { SecretKey };
