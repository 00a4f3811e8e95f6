import type * as pulumi from "@pulumi/pulumi";
import type { ValidatedSettings } from "./parse";
import type { SecretKey, StackSettings } from "./schema";

/**
 * The one validated, immutable configuration the whole program is built from. Plain settings go to pure
 * builders; secrets stay Pulumi secret Outputs and only components that write Kubernetes Secrets touch them.
 */
export interface PlatformConfig extends ValidatedSettings {
  /** Pulumi stack name, e.g. "production". */
  readonly stack: string;
  readonly secrets: Readonly<Partial<Record<SecretKey, pulumi.Output<string>>>>;
  /** Secrets the apps' secretEnv names, by config key. */
  readonly appSecrets: Readonly<Record<string, pulumi.Output<string>>>;
  /** Redis AUTH passwords the caches' passwordConfigKey names, by config key. */
  readonly cacheSecrets: Readonly<Record<string, pulumi.Output<string>>>;
}

export type { StackSettings };
