import { expect } from "chai";
import type { RecordedResource } from "../plan/mocks";
import { type PlanRecord, runProgram } from "../plan/run-program";

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

const cache = new Map<string, Promise<StackPlan>>();

/** Plans a committed stack once per test process (the program is deterministic, so sharing is safe). */
export function planStack(stack: StackName): Promise<StackPlan> {
  if (!cache.has(stack)) cache.set(stack, runProgram(stack).then((r) => new StackPlan(r)));
  return cache.get(stack)!;
}
