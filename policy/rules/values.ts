import { UnknownValueError } from "@pulumi/policy";

/**
 * Readers for resource properties. Policies see untyped JSON — inputs for resource policies, outputs for stack
 * policies — so every field may be missing or of another type, and during `pulumi preview` the SDK's proxy
 * throws UnknownValueError for values computed later. These helpers turn "absent or malformed" into
 * undefined/empty without hiding unknowns, except where `known` says so explicitly.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The value `read` returns, or undefined when it is unknown during preview. Only for lookups that have another
 * way to an answer (S3 settings find their bucket by dependency when the bucket name is not known yet); a check
 * that needs the value lets the error through, and the engine then reports the policy as not runnable.
 */
export function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** Per-policy settings: the engine fills schema defaults in, but a pack run without config must agree. */
export function settings<T extends object>(args: { getConfig<C extends object>(): C }, defaults: T): T {
  return { ...defaults, ...args.getConfig<Partial<T>>() };
}
