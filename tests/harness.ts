import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { PROJECT, type RecordedResource } from "../plan/mocks";
import { type PlanRecord, REPOSITORY_ROOT, runProgram, type RunProgramOptions } from "../plan/run-program";
import { readStackConfig, type StackConfigFile } from "../plan/stack-file";
import { declaredSecretKeys } from "../stacks/declared-secrets";
import { parseStackSettings, rawStackConfig, type RawStackConfig, type ValidatedSettings } from "../stacks/parse";
import { runTempDir } from "./temp-dirs";

export const STACKS = ["staging", "production"] as const;

/** The Node 22 that npm scripts run on (the `node` devDependency). */
export const NODE = path.join(REPOSITORY_ROOT, "node_modules", ".bin", "node");
/**
 * `npm run plan`'s command (package.json) after NODE, without npm in between: the plan's own loader, not tsx, so a
 * test of the command-line plan runs what users run (and a second less per run). A young generation of up to
 * 64 MB: a plan keeps most of what it allocates until it writes its files, and the default size had garbage
 * collection copy it over and over (about 4 ms CPU per app of a large stack; README, Benchmarks).
 */
export const PLAN_COMMAND = ["--max-semi-space-size=64", "--require", "./plan/typescript-require.js", "plan/cli.ts"];
export type StackName = (typeof STACKS)[number];

/** A stack's plan with lookups that fail loudly, so a missing resource is a clear assertion error. */
export class StackPlan {
  constructor(readonly record: PlanRecord) {}

  get resources(): readonly RecordedResource[] {
    return this.record.resources;
  }

  ofType(type: string): RecordedResource[] {
    return this.record.resources.filter((r) => r.type === type);
  }

  find(type: string, name: string): RecordedResource | undefined {
    return this.record.resources.find((r) => r.type === type && r.name === name);
  }

  one(type: string, name: string): RecordedResource {
    const found = this.find(type, name);
    expect(found, `${this.record.stack}: no ${type} named ${name}`).to.not.equal(undefined);
    return found!;
  }

  /** The one resource of any type with this logical name. */
  byName(name: string): RecordedResource {
    const found = this.record.resources.filter((r) => r.name === name);
    expect(found.map((r) => r.type), `${this.record.stack}: resources named ${name}`).to.have.lengthOf(1);
    return found[0];
  }

  /**
   * The Kubernetes object of `kind` named `name` (metadata.name) in `namespace`; with two arguments, the one
   * object of that kind and name in any namespace (a plan of a single component).
   */
  object(kind: string, name: string): Record<string, any>;
  object(kind: string, namespace: string | undefined, name: string): Record<string, any>;
  object(kind: string, ...where: [string] | [string | undefined, string]): Record<string, any> {
    const [namespace, name] = where.length === 1 ? [null, where[0]] : where;
    const found = this.record.resources.filter((r) => {
      const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
      return r.inputs.kind === kind && md?.name === name && (namespace === null || md?.namespace === namespace);
    });
    expect(found, `${this.record.stack}: ${kind} ${namespace === null ? "" : `${namespace ?? "(cluster)"}/`}${name}`).to.have.lengthOf(1);
    return found[0].inputs as Record<string, any>;
  }

  /** The inputs of every Kubernetes object of `kind`. */
  objects(kind: string): Record<string, any>[] {
    return this.record.resources.filter((r) => r.inputs.kind === kind).map((r) => r.inputs as Record<string, any>);
  }
}

/** A committed stack file as the engine would hand it over: `platform:` values and secret keys unprefixed, plus the provider keys. */
export function committedRawConfig(stack: StackName): RawStackConfig {
  const file = readStackConfig(REPOSITORY_ROOT, stack);
  return rawStackConfig(PROJECT, file.values, file.secretKeys, declaredSecretKeys(REPOSITORY_ROOT));
}

/** A committed stack file's settings, validated by the real schema (what the program builds from). */
export function committedSettings(stack: StackName): ValidatedSettings {
  return parseStackSettings(stack, committedRawConfig(stack));
}

const cache = new Map<string, Promise<StackPlan>>();

/** Plans a committed stack once per test process (the program is deterministic, so sharing is safe). */
export function planStack(stack: StackName): Promise<StackPlan> {
  if (!cache.has(stack)) cache.set(stack, runProgram(stack).then((r) => new StackPlan(r)));
  return cache.get(stack)!;
}

/** A recognisable stand-in for a decrypted secret: if it ever appears in output, a secret leaked. */
export const secretSentinel = (key: string) => `SENTINEL-${key}-d41d8cd98f00`;

/**
 * A committed stack's configuration as the real CLI hands it to the program: `secure:` values decrypted
 * (to sentinels), after `edit` changed the qualified keys. Plan it with runProgram(stack, { config }).
 */
export function engineConfig(
  stack: StackName,
  edit: (values: Record<string, string>, secretKeys: Set<string>) => void = () => {},
): StackConfigFile {
  const file = readStackConfig(REPOSITORY_ROOT, stack);
  const values = { ...file.values };
  for (const key of file.secretKeys) values[key] = secretSentinel(key);
  const secretKeys = new Set(file.secretKeys);
  edit(values, secretKeys);
  return { values, secretKeys: [...secretKeys].sort() };
}

/**
 * Edits one structured key of a stack's config values in place: the engine (and the raw config the loader
 * reads) holds objects and lists as JSON text. `key` as the values spell it (`platform:apps` in an engine
 * config, `apps` in a raw config).
 */
export function editJsonKey<T>(values: Record<string, string>, key: string, change: (value: T) => void): void {
  expect(values, `no config key ${key}`).to.have.property(key);
  const value = JSON.parse(values[key]) as T;
  change(value);
  values[key] = JSON.stringify(value);
}

/** A copy of a committed stack file, in a new temporary folder, with `edit` applied to its config map. */
export function editedStackFile(stack: string, edit: (config: Record<string, any>) => void): string {
  const doc = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  edit(doc.config);
  const file = path.join(runTempDir("platform-stack-file-"), `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

/** The error the program fails with for this stack and options; the test fails when it does not fail. */
export async function programFailure(stack: StackName, options: RunProgramOptions): Promise<Error> {
  try {
    await runProgram(stack, options);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`expected the ${stack} program to fail`);
}
