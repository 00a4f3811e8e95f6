import { expect } from "chai";
import type { RecordedResource } from "../plan/mocks";
import { type PlanRecord, REPOSITORY_ROOT, runProgram } from "../plan/run-program";
import { readStackConfig } from "../plan/stack-file";
import { parseStackSettings, type RawStackConfig } from "../stacks/parse";
import type { StackSettings } from "../stacks/schema";

export const STACKS = ["staging", "production"] as const;
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

  /** The Kubernetes object of `kind` named `name` (metadata.name) in `namespace`. */
  object(kind: string, namespace: string | undefined, name: string): Record<string, any> {
    const found = this.record.resources.filter((r) => {
      const md = r.inputs.metadata as { name?: string; namespace?: string } | undefined;
      return r.inputs.kind === kind && md?.name === name && md?.namespace === namespace;
    });
    expect(found, `${this.record.stack}: ${kind} ${namespace ?? "(cluster)"}/${name}`).to.have.lengthOf(1);
    return found[0].inputs as Record<string, any>;
  }
}

/** A committed stack file as the engine would hand it over: `platform:` values and secret keys, unprefixed. */
export function committedRawConfig(stack: StackName): RawStackConfig {
  const file = readStackConfig(REPOSITORY_ROOT, stack);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(file.values)) if (key.startsWith("platform:")) values[key.slice("platform:".length)] = value;
  const secretKeys = new Set(file.secretKeys.filter((k) => k.startsWith("platform:")).map((k) => k.slice("platform:".length)));
  return { values, secretKeys };
}

/** A committed stack file's settings, validated by the real schema (what the program builds from). */
export function committedSettings(stack: StackName): StackSettings {
  return parseStackSettings(stack, committedRawConfig(stack));
}

const cache = new Map<string, Promise<StackPlan>>();

/** Plans a committed stack once per test process (the program is deterministic, so sharing is safe). */
export function planStack(stack: StackName): Promise<StackPlan> {
  if (!cache.has(stack)) cache.set(stack, runProgram(stack).then((r) => new StackPlan(r)));
  return cache.get(stack)!;
}
