import * as pulumi from "@pulumi/pulumi";
import { parseStackSettings, PlatformConfigError, type RawStackConfig } from "./parse";
import type { PlatformConfig } from "./platform-config";
import { appSecretKeys } from "./apps-schema";
import { SECRET_KEYS } from "./schema";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value) && !pulumi.Output.isInstance(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Reads the current stack's `platform:*` configuration from the engine. */
export function readRawStackConfig(project = pulumi.getProject()): RawStackConfig {
  const prefix = `${project}:`;
  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [fullKey, text] of Object.entries(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    values[key] = text;
    if (isStoredAsSecret(fullKey)) secretKeys.add(key);
  }
  return { values, secretKeys };
}

// getSecret would mark any value secret, but a webhook stored in plain text in the stack file is
// already leaked; the engine's list of encrypted keys tells the two apart. The SDK keeps that lookup
// internal, so fall back to trusting the value when a future SDK drops it.
function isStoredAsSecret(fullKey: string): boolean {
  const raw = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  return raw ? raw(fullKey) : true;
}

/**
 * Loads and validates the stack configuration. On invalid input it throws a RunError carrying every
 * problem, before any resource is registered, so the engine prints the list without a stack trace.
 */
export function loadConfig(): PlatformConfig {
  const stack = pulumi.getStack();
  const raw = readRawStackConfig();
  let settings;
  try {
    settings = parseStackSettings(stack, raw);
  } catch (err) {
    if (err instanceof PlatformConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
  const config = new pulumi.Config();
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const key of SECRET_KEYS) {
    const value = config.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }
  const appSecrets: Record<string, pulumi.Output<string>> = {};
  for (const key of appSecretKeys(settings.apps)) {
    const value = config.getSecret(key);
    if (value !== undefined) appSecrets[key] = value;
  }
  const awsRegion = new pulumi.Config("aws").require("region");
  if (settings.backupReplicaRegion === awsRegion) {
    const problem = { path: "backupReplicaRegion", reason: `is the stack's own region (aws:region ${awsRegion}); the off-site replica needs a second region` };
    throw new pulumi.RunError(new PlatformConfigError(stack, [problem]).message);
  }
  return deepFreeze({ ...settings, stack, awsRegion, secrets, appSecrets });
}
