import {
  type EnforcementLevel,
  type Policy,
  type PolicyPackArgs,
  type PolicyPackConfig,
  type PolicyResource,
  type PolicyResourceOptions,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import { policyPackArgs } from "../rules";
import { resolvePackConfig } from "./pack-config";

/**
 * What the runner reads of one planned resource: the fields the analyzer hands a policy. The offline plan's
 * record (plan/mocks.ts RecordedResource) has them all; the pack declares its own view so that it depends on
 * no tooling, and the plan depends on the pack, not the other way round.
 */
export interface PlannedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent?: string;
  /** Inputs as the engine receives them (secrets masked). */
  readonly inputs: Record<string, unknown>;
  readonly dependencies: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
  readonly options: {
    readonly protect: boolean;
    readonly ignoreChanges: readonly string[];
    readonly deleteBeforeReplace: boolean;
    readonly additionalSecretOutputs: readonly string[];
  };
}

/** A planned stack: its name and every resource it registers. */
export interface PlannedStack {
  readonly stack: string;
  readonly resources: readonly PlannedResource[];
}

/**
 * Applies the pack to a stack's offline plan the way the analyzer applies it to `pulumi preview`
 * (@pulumi/policy server.js): every resource policy sees every registered resource with its inputs as `props`
 * (Analyze), then every stack policy sees all resources at once (AnalyzeStack). Stack policies get outputs
 * from the engine; the mocks echo inputs as outputs, so inputs stand in for them here. Enforcement levels and
 * properties come from the pack config exactly as the CLI reconciles them; `remediate` reports as mandatory
 * and `disabled` skips the policy, as the analyzer does.
 */

export interface Violation {
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory";
  /** The resource in violation; a stack policy may report against the stack as a whole. */
  readonly urn?: string;
  readonly message: string;
}

export interface PolicyReport {
  readonly stack: string;
  readonly violations: readonly Violation[];
  readonly mandatory: number;
  readonly advisory: number;
}

/** What a policy's `args.notApplicable()` throws; the analyzer records such a policy as not applicable. */
class NotApplicable extends Error {}

function notApplicable(reason?: string): never {
  throw new NotApplicable(reason ?? "Policy does not apply");
}

type ResourceClass = { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };

/** `isType` as the analyzer decides it: the class's Pulumi type token, or its `isInstance`. */
function isTypeOf(type: string, resourceClass: ResourceClass): boolean {
  if (typeof resourceClass.__pulumiType === "string" && resourceClass.__pulumiType !== "") return type === resourceClass.__pulumiType;
  return typeof resourceClass.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

function optionsOf(resource: PlannedResource): PolicyResourceOptions {
  return {
    protect: resource.options.protect,
    ignoreChanges: [...resource.options.ignoreChanges],
    deleteBeforeReplace: resource.options.deleteBeforeReplace,
    // The mock monitor does not record aliases or timeouts; the program sets neither.
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [...resource.options.additionalSecretOutputs],
    parent: resource.parent,
  };
}

function effectiveLevel(level: EnforcementLevel): EnforcementLevel {
  return level === "remediate" ? "mandatory" : level;
}

function isResourcePolicy(policy: Policy): policy is ResourceValidationPolicy {
  return "validateResource" in policy && policy.validateResource !== undefined;
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
  return typeof (policy as StackValidationPolicy).validateStack === "function";
}

/** Builds the `PolicyResource` graph of a stack policy: parents and dependencies point at each other. */
function policyResources(resources: readonly PlannedResource[]): PolicyResource[] {
  const byUrn = new Map<string, PolicyResource>();
  for (const r of resources) {
    const props = unknownCheckingProxy(r.inputs) as Record<string, unknown>;
    byUrn.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: optionsOf(r),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls as ResourceClass),
      asType: ((cls: ResourceClass) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    });
  }
  for (const r of resources) {
    const resource = byUrn.get(r.urn)!;
    if (r.parent) resource.parent = byUrn.get(r.parent);
    resource.dependencies = r.dependencies.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined);
    resource.propertyDependencies = Object.fromEntries(
      Object.entries(r.propertyDependencies ?? {}).map(([key, urns]) => [key, urns.map((d) => byUrn.get(d)).filter((d): d is PolicyResource => d !== undefined)]),
    );
  }
  return [...byUrn.values()];
}

/** Runs one validation, turning the SDK's control-flow errors into what the analyzer reports for them. */
async function validate(policy: Policy, where: string, run: () => unknown, out: Violation[]): Promise<void> {
  try {
    await Promise.resolve(run());
  } catch (err) {
    if (err instanceof NotApplicable) return;
    if (err instanceof UnknownValueError) {
      // The analyzer downgrades a policy that reads an unknown value to an advisory note.
      out.push({ policy: policy.name, enforcementLevel: "advisory", message: `can't run policy '${policy.name}' during preview: ${(err as Error).message}` });
      return;
    }
    throw new Error(`policy '${policy.name}' failed on ${where}: ${(err as Error).message}`);
  }
}

/** Applies the pack (the platform pack unless given) to a planned stack under `packConfig`. */
export async function runPolicies(record: PlannedStack, packConfig: PolicyPackConfig = {}, pack: PolicyPackArgs = policyPackArgs): Promise<PolicyReport> {
  const config = resolvePackConfig(pack, packConfig);
  const violations: Violation[] = [];
  const active = pack.policies
    .map((policy) => ({ policy, level: effectiveLevel(config.get(policy.name)!.enforcementLevel) }))
    .filter((p): p is { policy: Policy; level: "advisory" | "mandatory" } => p.level !== "disabled");
  const getConfig = (name: string) => <T extends object>() => ({ ...config.get(name)!.properties }) as T;

  for (const resource of record.resources) {
    for (const { policy, level } of active) {
      if (!isResourcePolicy(policy)) continue;
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
      for (const validation of validations) {
        // A validation made by validateResourceOfType carries its type; the analyzer skips others without calling it.
        const onlyType = (validation as { __pulumiType?: unknown }).__pulumiType;
        if (typeof onlyType === "string" && onlyType !== resource.type) continue;
        const props = unknownCheckingProxy(resource.inputs) as Record<string, unknown>;
        const args: ResourceValidationArgs = {
          type: resource.type,
          props,
          urn: resource.urn,
          name: resource.name,
          opts: optionsOf(resource),
          stackTags: new Map(),
          isType: (cls) => isTypeOf(resource.type, cls as ResourceClass),
          asType: ((cls: ResourceClass) => (isTypeOf(resource.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
          getConfig: getConfig(policy.name),
          notApplicable,
        };
        const report = (message: string) => violations.push({ policy: policy.name, enforcementLevel: level, urn: resource.urn, message });
        await validate(policy, resource.urn, () => validation(args, report), violations);
      }
    }
  }

  const resources = policyResources(record.resources);
  for (const { policy, level } of active) {
    if (!isStackPolicy(policy)) continue;
    const args: StackValidationArgs = { resources, stackTags: new Map(), getConfig: getConfig(policy.name), notApplicable };
    const report = (message: string, urn?: string) => violations.push({ policy: policy.name, enforcementLevel: level, urn, message });
    await validate(policy, `stack ${record.stack}`, () => policy.validateStack(args, report), violations);
  }

  return {
    stack: record.stack,
    violations,
    mandatory: violations.filter((v) => v.enforcementLevel === "mandatory").length,
    advisory: violations.filter((v) => v.enforcementLevel === "advisory").length,
  };
}
