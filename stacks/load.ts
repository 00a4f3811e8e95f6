import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parseStackSettings, PlatformConfigError, rawStackConfig, type RawStackConfig, type SettingsCheck } from "./parse";
import type { PlatformConfig } from "./platform-config";
import { appSecretKeys } from "./apps-schema";
import { declaredSecretKeys } from "./declared-secrets";
import { cacheSecretKeys, SECRET_KEYS } from "./schema";

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value) && !pulumi.Output.isInstance(value)) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Which configuration keys the stack stores encrypted. getSecret would mark any value secret, but a webhook
 * stored in plain text in the stack file is already leaked, so the loader must tell the two apart; only the
 * engine knows, and the SDK exposes that through an internal function. Without it the program cannot prove a
 * secret was stored encrypted, so it refuses to run rather than assume.
 */
export function configSecretPredicate(runtime: unknown = pulumi.runtime): (qualifiedKey: string) => boolean {
  const isConfigSecret = (runtime as { isConfigSecret?: unknown }).isConfigSecret;
  if (typeof isConfigSecret !== "function") {
    throw new pulumi.RunError(
      "Cannot tell which configuration keys are stored encrypted: this @pulumi/pulumi runtime has no isConfigSecret. " +
        "Refusing to run, since a secret stored in plain text could not be detected; pin @pulumi/pulumi to a version that has it.",
    );
  }
  return (key) => (isConfigSecret as (k: string) => boolean)(key) === true;
}

/**
 * The folder of the project being run, which holds its Pulumi.yaml: where the engine says, else the working
 * directory the CLI starts a program in. Not this module's folder: a program using the installed library has
 * its own project.
 */
function projectDirectory(): string {
  const root = pulumi.runtime.getRootDirectory();
  return root !== "" && fs.existsSync(path.join(root, "Pulumi.yaml")) ? root : process.cwd();
}

/** Reads the current stack's configuration from the engine: the project's keys and the provider keys it needs. */
export function readRawStackConfig(project = pulumi.getProject(), isSecret = configSecretPredicate()): RawStackConfig {
  const all = pulumi.runtime.allConfig();
  return rawStackConfig(project, all, Object.keys(all).filter(isSecret), declaredSecretKeys(projectDirectory()));
}

/**
 * Loads and validates the stack configuration. On invalid input it throws a RunError carrying every
 * problem, before any resource is registered, so the engine prints the list without a stack trace.
 * `checks` add what only the builders know (generated names, demand against quotas) to that one list.
 */
export function loadConfig(checks: readonly SettingsCheck[] = []): PlatformConfig {
  const stack = pulumi.getStack();
  const raw = readRawStackConfig();
  let settings;
  try {
    settings = parseStackSettings(stack, raw, checks);
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
  const cacheSecrets: Record<string, pulumi.Output<string>> = {};
  for (const key of cacheSecretKeys(settings.caches)) {
    const value = config.getSecret(key);
    if (value !== undefined) cacheSecrets[key] = value;
  }
  return deepFreeze({ ...settings, stack, secrets, appSecrets, cacheSecrets });
}
