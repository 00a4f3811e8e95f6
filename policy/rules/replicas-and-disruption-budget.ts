import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describeObject, kindOf, objectKey, podTemplateOf, selectorMatches, TYPES } from "./kubernetes";
import { isRecord, record, settings } from "./values";

const DEFAULTS = { minReplicas: 2, singletons: [] as string[] };

/** `namespace/name` against a pattern where `*` stands for any run of characters. */
function matchesPattern(key: string, pattern: string): boolean {
  const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
  return regex.test(key);
}

const REPLICATED: readonly string[] = [TYPES.deployment, TYPES.statefulSet, TYPES.rollout];

function namespaceOf(resource: PolicyResource): string {
  return objectKey(resource.props, resource.name).split("/")[0];
}

/** The value read through the analyzer's proxy into plain data (an unknown inside still throws, here). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

/**
 * `read(resource)`, evaluated on first use and kept: every workload is compared with every budget, and each
 * read through the analyzer's proxy allocates, so reading a budget's namespace and selector again for each
 * workload made this policy quadratic in a stack's apps.
 */
function once<T>(read: (resource: PolicyResource) => T): (resource: PolicyResource) => T {
  const known = new Map<PolicyResource, T>();
  return (resource) => {
    if (known.has(resource)) return known.get(resource)!;
    const value = read(resource);
    known.set(resource, value);
    return value;
  };
}

function count(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** The replica floor: the HorizontalPodAutoscaler's minReplicas when one scales the workload, else spec.replicas. */
function replicaFloor(workload: PolicyResource, autoscalers: readonly PolicyResource[], namespaceOf: (resource: PolicyResource) => string): number {
  const [namespace, name] = objectKey(workload.props, workload.name).split("/");
  const hpa = autoscalers.find((h) => {
    const target = record(record(h.props.spec).scaleTargetRef);
    return namespaceOf(h) === namespace && target.kind === kindOf(workload.type) && target.name === name;
  });
  // Kubernetes defaults both fields to 1.
  if (hpa) return count(record(hpa.props.spec).minReplicas) ?? 1;
  return count(record(workload.props.spec).replicas) ?? 1;
}

/** Pods a budget value stands for; Kubernetes rounds percentages up (so maxUnavailable "10%" still allows one). */
function pods(value: unknown, replicas: number): number | undefined {
  if (typeof value === "number") return value;
  const percent = typeof value === "string" ? /^(\d+)%$/.exec(value) : null;
  return percent ? Math.ceil((Number(percent[1]) * replicas) / 100) : undefined;
}

/** Why a budget forbids every voluntary eviction, or undefined when a drain can proceed one pod at a time. */
function blocksEveryEviction(budget: Record<string, unknown>, replicas: number): string | undefined {
  const { maxUnavailable, minAvailable } = budget;
  if (maxUnavailable !== undefined && pods(maxUnavailable, replicas) === 0) return `maxUnavailable: ${String(maxUnavailable)}`;
  const required = pods(minAvailable, replicas);
  if (required !== undefined && required >= replicas) return `minAvailable: ${String(minAvailable)} of ${replicas} ${replicas === 1 ? "replica" : "replicas"}`;
  return undefined;
}

/**
 * One replica means every node drain, eviction or crash is an outage; a PodDisruptionBudget is what makes a
 * drain wait for the second replica instead of evicting both. A stack policy, because the budget, the
 * autoscaler and the workload are separate resources. Mandatory in production; advisory in staging, which
 * may run single replicas to save money (policy/config/<stack>.json).
 */
export const replicasAndDisruptionBudget: StackValidationPolicy = {
  name: "k8s-replicas-and-disruption-budget",
  description: "Deployments, StatefulSets and Rollouts run at least minReplicas pods and a PodDisruptionBudget lets drains evict one at a time.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      minReplicas: { type: "integer", minimum: 1, default: DEFAULTS.minReplicas, description: "Fewest replicas a workload may run." },
      singletons: {
        type: "array",
        items: { type: "string" },
        default: [] as string[],
        description:
          "Workloads (namespace/name, * matches any characters) that must run exactly one pod, such as an exporter " +
          "whose second replica would duplicate every series or a Pushgateway whose state lives in one pod; skipped. " +
          "Document each in policy/README.md.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { minReplicas, singletons } = settings(args, DEFAULTS);
    const budgets = args.resources.filter((r) => r.type === TYPES.podDisruptionBudget);
    const autoscalers = args.resources.filter((r) => r.type === TYPES.hpaV2 || r.type === TYPES.hpaV1);
    const namespace = once(namespaceOf);
    const selectorOf = once((budget) => plain(record(budget.props.spec).selector));
    for (const workload of args.resources) {
      if (!REPLICATED.includes(workload.type)) continue;
      const replicas = replicaFloor(workload, autoscalers, namespace);
      // Scaled to zero on purpose (the idle colour of a blue-green pair): it serves nothing, so it has no
      // availability to protect. An unset replicas field is 1, not 0, and is checked.
      if (replicas === 0) continue;
      if (singletons.some((pattern) => matchesPattern(objectKey(workload.props, workload.name), pattern))) continue;
      const object = describeObject(workload.type, workload.props, workload.name);
      if (replicas < minReplicas) {
        reportViolation(
          `${object} runs ${replicas} ${replicas === 1 ? "replica" : "replicas"}; run at least ${minReplicas} ` +
            `(spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage`,
          workload.urn,
        );
      }
      const podLabels = podTemplateOf(workload.type, workload.props)?.labels ?? {};
      const selecting = budgets.filter((b) => {
        const selector = selectorOf(b);
        return namespace(b) === namespace(workload) && isRecord(selector) && selectorMatches(selector, podLabels);
      });
      if (selecting.length === 0) {
        reportViolation(`${object} has no PodDisruptionBudget selecting its pods; add one with maxUnavailable: 1`, workload.urn);
      }
      for (const budget of selecting) {
        const reason = blocksEveryEviction(record(budget.props.spec), replicas);
        if (reason) {
          reportViolation(
            `PodDisruptionBudget ${objectKey(budget.props, budget.name)} allows no voluntary eviction of ${object} (${reason}); ` +
              `node drains would block, allow at least one`,
            budget.urn,
          );
        }
      }
    }
  },
};

