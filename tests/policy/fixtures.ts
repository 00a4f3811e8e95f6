import type { PolicyPackConfig } from "@pulumi/policy";
import type { RecordedResource } from "../../plan/mocks";
import type { PlanRecord } from "../../plan/run-program";
import { runPolicies, type Violation } from "../../policy/offline";

/**
 * Fixtures for the policy tests: resources in the shape the mock engine records them (plan/mocks.ts), so every
 * rule is exercised through the same offline runner `npm run plan` uses.
 */

export interface FixtureResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
  readonly custom?: boolean;
}

/** @pulumi/policy's sentinel for a string unknown during preview (proxy.js unknownStringValue, the engine's too). */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::platform::${type}::${name}`;
}

function recorded(r: FixtureResource): RecordedResource {
  return {
    urn: urnOf(r.type, r.name),
    type: r.type,
    name: r.name,
    parent: r.parent,
    custom: r.custom ?? true,
    inputs: r.inputs,
    secretPaths: [],
    dependencies: [...(r.dependencies ?? [])],
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
  };
}

export function planRecord(resources: readonly FixtureResource[], stack = "test"): PlanRecord {
  return { project: "platform", stack, resources: resources.map(recorded) };
}

/** Every violation the pack reports for these resources. */
export async function violations(resources: readonly FixtureResource[], config: PolicyPackConfig = {}): Promise<readonly Violation[]> {
  return (await runPolicies(planRecord(resources), config)).violations;
}

/** The messages one policy reports for these resources, in report order. */
export async function messagesOf(policy: string, resources: readonly FixtureResource[], config: PolicyPackConfig = {}): Promise<string[]> {
  return (await violations(resources, config)).filter((v) => v.policy === policy).map((v) => v.message);
}

// ---- Kubernetes objects that pass every workload rule; tests break one thing at a time. ----

export function goodContainer(name = "api"): Record<string, any> {
  return {
    name,
    image: "ghcr.io/example/api:1.4.2",
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    readinessProbe: { httpGet: { path: "/ready", port: 8080 } },
    livenessProbe: { httpGet: { path: "/healthz", port: 8080 } },
  };
}

export const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

export function deployment(
  name: string,
  podSpec: Record<string, unknown> = { containers: [goodContainer()] },
  spec: Record<string, unknown> = { replicas: 2 },
  namespace = "apps",
): FixtureResource {
  return {
    type: DEPLOYMENT,
    name: `${name}-deployment`,
    inputs: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace },
      spec: {
        selector: { matchLabels: { app: name } },
        ...spec,
        template: { metadata: { labels: { app: name } }, spec: podSpec },
      },
    },
  };
}

export function pdb(name: string, selector: Record<string, unknown>, spec: Record<string, unknown> = { maxUnavailable: 1 }, namespace = "apps"): FixtureResource {
  return {
    type: "kubernetes:policy/v1:PodDisruptionBudget",
    name: `${name}-pdb`,
    inputs: { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: { name, namespace }, spec: { selector, ...spec } },
  };
}

export function cronJob(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, podSpec?: Record<string, unknown>): FixtureResource {
  return {
    type: "kubernetes:batch/v1:CronJob",
    name: `${name}-cronjob`,
    inputs: {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name, namespace: "backups", labels },
      spec: {
        schedule: "0 2 * * *",
        ...spec,
        jobTemplate: { spec: { template: { spec: podSpec ?? { restartPolicy: "Never", containers: [goodContainer("job")] } } } },
      },
    },
  };
}
