import { z } from "zod";
import { appSecretKeys, appsProblems, AppsSchema } from "./apps-schema";
import { durationSeconds, longestScheduleGapSeconds } from "./formats";
import { requiredSecrets, SECRET_KEYS, type SecretKey, type StackSettings, StackSettingsSchema } from "./schema";

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
}

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

/**
 * Validates a stack's raw configuration into plain settings, or throws one PlatformConfigError naming every
 * offending key path. Secrets are only checked for presence.
 */
export function parseStackSettings(stack: string, raw: RawStackConfig): StackSettings {
  const problems: ConfigProblem[] = [];
  const plain: Record<string, unknown> = {};
  // Apps name further secret keys (secretEnv). They are read from the raw list too, so an app with another
  // mistake does not turn its secrets into "unknown key" reports.
  const rawApps = raw.values.apps === undefined ? undefined : decodeValue("apps", raw.values.apps);
  const apps = rawApps === undefined ? undefined : AppsSchema.safeParse(rawApps);
  const secretKeys = new Set<string>([...SECRET_KEYS, ...(apps?.success ? appSecretKeys(apps.data) : namedSecretKeys(rawApps))]);
  for (const [key, text] of Object.entries(raw.values)) {
    if (secretKeys.has(key)) continue;
    plain[key] = decodeValue(key, text);
  }

  const result = StackSettingsSchema.safeParse(plain);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys") {
        for (const key of issue.keys) {
          problems.push({ path: formatPath([...issue.path, key]), reason: "unknown key (check the spelling; Pulumi.yaml lists every key)" });
        }
        continue;
      }
      const value = valueAt(plain, issue.path);
      const reason =
        value === undefined && (issue.code === "invalid_type" || issue.code === "invalid_value")
          ? "is required but not set"
          : `${issue.message.replace(/^Invalid (input|option): /, "")} (got ${describe(value)})`;
      problems.push({ path: formatPath(issue.path), reason });
    }
  }

  const settings = result.success ? result.data : undefined;
  if (settings) problems.push(...crossFieldProblems(settings));

  const environment = typeof plain.environment === "string" ? plain.environment : undefined;
  const pagerdutyEnabled = plain.pagerdutyEnabled === true;
  if (environment === "staging" || environment === "production") {
    for (const key of requiredSecrets({ environment, pagerdutyEnabled })) {
      if (!(key in raw.values)) {
        problems.push({ path: key, reason: `secret is required in ${environment}: pulumi config set --secret ${key} <value>` });
      } else if (!raw.secretKeys.has(key)) {
        problems.push({ path: key, reason: `is stored in plain text; set it again with pulumi config set --secret ${key} <value>` });
      }
    }
  }

  apps?.data?.forEach((app, i) => {
    for (const [variable, key] of Object.entries(app.secretEnv)) {
      if (!(key in raw.values)) {
        problems.push({ path: `apps[${i}].secretEnv.${variable}`, reason: `reads the secret ${key}, which is not set: pulumi config set --secret ${key} <value>` });
      } else if (!raw.secretKeys.has(key) && !problems.some((p) => p.path === key)) {
        problems.push({ path: key, reason: `is stored in plain text; set it again with pulumi config set --secret ${key} <value>` });
      }
    }
  });

  if (problems.length > 0 || !settings) throw new PlatformConfigError(stack, problems);
  return settings;
}

/** secretEnv values of a raw apps list that did not validate, as far as they are strings. */
function namedSecretKeys(rawApps: unknown): string[] {
  if (!Array.isArray(rawApps)) return [];
  return rawApps.flatMap((app) => {
    const secretEnv = app !== null && typeof app === "object" ? (app as { secretEnv?: unknown }).secretEnv : undefined;
    return secretEnv !== null && typeof secretEnv === "object" ? Object.values(secretEnv).filter((v): v is string => typeof v === "string") : [];
  });
}

function crossFieldProblems(settings: StackSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
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
  if (settings.environment === "production") {
    const ha: [string, number, number][] = [
      ["monitoring.prometheus.replicas", settings.monitoring.prometheus.replicas, 2],
      ["monitoring.alertmanager.replicas", settings.monitoring.alertmanager.replicas, 3],
    ];
    for (const [path, value, minimum] of ha) {
      if (value < minimum) problems.push({ path, reason: `production runs at least ${minimum} for high availability (got ${value})` });
    }
  }
  problems.push(...appsProblems(settings.apps, settings));
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
  settings.namespaces.forEach((ns, i) => {
    const refs: [string, string[]][] = [
      ["ingressFromNamespaces", ns.ingressFromNamespaces],
      ["egress.namespaces", ns.egress.namespaces],
    ];
    for (const [field, list] of refs) {
      list.forEach((ref, j) => {
        if (!known.has(ref) && ref !== "kube-system" && ref !== settings.ingressControllerNamespace) {
          problems.push({
            path: `namespaces[${i}].${field}[${j}]`,
            reason: `"${ref}" is neither a configured namespace, kube-system, nor the ingress controller's namespace "${settings.ingressControllerNamespace}"`,
          });
        }
      });
    }
  });
  return problems;
}

/** Backups whose recovery point the stack could not keep, or whose alerts would fire between runs. */
function backupProblems(settings: StackSettings): ConfigProblem[] {
  if (!settings.databases.some((db) => db.backup.enabled)) return [];
  const problems: ConfigProblem[] = [];
  if (settings.environment === "production" && settings.backupReplicaRegion === "") {
    problems.push({ path: "backupReplicaRegion", reason: "production keeps an off-site copy of its backups: set a second AWS region, e.g. eu-central-1" });
  }
  const gap = longestScheduleGapSeconds(settings.backupSchedule);
  const maxAge = settings.alertThresholds.backups.maxAge;
  if (gap === Infinity) {
    problems.push({ path: "backupSchedule", reason: `never runs: no date matches "${settings.backupSchedule}"` });
  } else if (gap > durationSeconds(maxAge)!) {
    problems.push({
      path: "backupSchedule",
      reason: `runs up to ${gap / 3600}h apart, longer than alertThresholds.backups.maxAge (${maxAge}): BackupTooOld would fire between runs; back up more often or raise maxAge`,
    });
  }
  return problems;
}

export type { SecretKey };
