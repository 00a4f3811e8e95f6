import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, objectKey, TYPES, workloadUnderCheck } from "./kubernetes";
import { settings } from "./values";

const DEFAULTS = { exemptions: [] as string[] };

const LONG_RUNNING: readonly string[] = [TYPES.deployment, TYPES.rollout];

/**
 * Without a readiness probe a rollout (and a blue-green switch) sends traffic to pods that are not serving
 * yet, and Kubernetes considers the rollout healthy as soon as the process starts; without a liveness probe a
 * hung process keeps its endpoint forever. Init containers run to completion, so only app containers count.
 */
export const deploymentProbes: ResourceValidationPolicy = {
  name: "k8s-deployment-probes",
  description: "Every container of a Deployment or Rollout has a liveness and a readiness probe.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      exemptions: {
        type: "array",
        items: { type: "string" },
        default: [] as string[],
        description: "Workloads (namespace/name) or single containers (namespace/name:container) this policy skips; document why in policy/README.md.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!LONG_RUNNING.includes(args.type)) return;
    const { exemptions } = settings(args, DEFAULTS);
    const workload = workloadUnderCheck(args, exemptions);
    if (!workload) return;
    const { template, object } = workload;
    const key = objectKey(args.props, args.name);
    for (const { name, container, init } of containersOf(template.spec)) {
      if (init || exemptions.includes(`${key}:${name}`)) continue;
      if (container.readinessProbe === undefined) {
        reportViolation(`${object}: container "${name}" has no readinessProbe; add one so traffic only reaches pods that serve`);
      }
      if (container.livenessProbe === undefined) {
        reportViolation(`${object}: container "${name}" has no livenessProbe; add one so the kubelet restarts a hung process`);
      }
    }
  },
};
