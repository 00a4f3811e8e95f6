import { isRecord, list, record, str } from "./values";

/**
 * Kubernetes vocabulary shared by the rules: which resource types carry a pod template, where, and how to name
 * an object in a message. Types are matched by Pulumi type token, so a rule also sees objects that a Helm v4
 * Chart or a ConfigFile registers (they carry the same tokens), and the pack needs no @pulumi/kubernetes.
 */

/** Pulumi type token → path of the pod spec inside the object. */
const POD_SPEC_PATHS: Readonly<Record<string, readonly string[]>> = {
  "kubernetes:core/v1:Pod": ["spec"],
  "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
  "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
  "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
  "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
  "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
  // Argo Rollouts (the blue-green apps) keeps a Deployment-shaped pod template.
  "kubernetes:argoproj.io/v1alpha1:Rollout": ["spec", "template", "spec"],
};

export const TYPES = {
  deployment: "kubernetes:apps/v1:Deployment",
  statefulSet: "kubernetes:apps/v1:StatefulSet",
  rollout: "kubernetes:argoproj.io/v1alpha1:Rollout",
  cronJob: "kubernetes:batch/v1:CronJob",
  service: "kubernetes:core/v1:Service",
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
  secret: "kubernetes:core/v1:Secret",
  networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  podDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  hpaV1: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
  helmRelease: "kubernetes:helm.sh/v3:Release",
  helmChart: "kubernetes:helm.sh/v4:Chart",
} as const;

/** Kind shown in messages, from the type token (`kubernetes:apps/v1:Deployment` → `Deployment`). */
export function kindOf(type: string): string {
  return type.slice(type.lastIndexOf(":") + 1);
}

/** `namespace/name` of an object. The provider auto-names objects without metadata.name after the resource. */
export function objectKey(props: Record<string, unknown>, resourceName: string): string {
  const metadata = record(props.metadata);
  return `${str(metadata.namespace) ?? "default"}/${str(metadata.name) ?? resourceName}`;
}

/** `Deployment apps/api`: how every workload message names its object. */
export function describeObject(type: string, props: Record<string, unknown>, resourceName: string): string {
  return `${kindOf(type)} ${objectKey(props, resourceName)}`;
}

/** `Helm release monitoring/loki` / `Helm chart monitoring/alloy`: how Helm messages name a release. */
export function describeHelm(type: string, props: Record<string, unknown>, resourceName: string): string {
  const what = type === TYPES.helmRelease ? "release" : "chart";
  return `Helm ${what} ${str(props.namespace) ?? "default"}/${str(props.name) ?? resourceName}`;
}

export function labelsOf(props: Record<string, unknown>): Record<string, unknown> {
  return record(record(props.metadata).labels);
}

export interface PodTemplate {
  /** The pod spec; empty when the object has none (yet). */
  readonly spec: Record<string, unknown>;
  /** Dotted path of the pod spec in the object, for messages (`spec.template.spec`). */
  readonly path: string;
  /** Labels the pods get (template metadata; a bare Pod's own labels). */
  readonly labels: Record<string, unknown>;
}

/** The pod template of a workload, or undefined for any other type. */
export function podTemplateOf(type: string, props: Record<string, unknown>): PodTemplate | undefined {
  const path = POD_SPEC_PATHS[type];
  if (!path) return undefined;
  let node: unknown = props;
  for (const key of path) node = record(node)[key];
  let owner: unknown = props;
  for (const key of path.slice(0, -1)) owner = record(owner)[key];
  return { spec: record(node), path: path.join("."), labels: record(record(record(owner).metadata).labels) };
}

export interface ContainerRef {
  readonly name: string;
  readonly container: Record<string, unknown>;
  readonly init: boolean;
}

/** Regular and init containers of a pod spec (the ones a template can define). */
/**
 * The workload a resource policy checks: its pod template and how messages name it. Undefined for a
 * resource without a pod template, and for a workload the pack config exempts by `namespace/name`.
 */
export function workloadUnderCheck(
  args: { type: string; props: Record<string, unknown>; name: string },
  exemptions: readonly string[] = [],
): { template: PodTemplate; object: string } | undefined {
  const template = podTemplateOf(args.type, args.props);
  if (!template || exemptions.includes(objectKey(args.props, args.name))) return undefined;
  return { template, object: describeObject(args.type, args.props, args.name) };
}

export function containersOf(podSpec: Record<string, unknown>): ContainerRef[] {
  const refs = (items: unknown, init: boolean) =>
    list(items)
      .filter(isRecord)
      .map((container, i) => ({ name: str(container.name) ?? `#${i}`, container, init }));
  return [...refs(podSpec.initContainers, true), ...refs(podSpec.containers, false)];
}

/** Whether `labels` satisfy a Kubernetes LabelSelector (matchLabels and matchExpressions). */
export function selectorMatches(selector: Record<string, unknown>, labels: Record<string, unknown>): boolean {
  for (const [key, value] of Object.entries(record(selector.matchLabels))) {
    if (labels[key] !== value) return false;
  }
  for (const expression of list(selector.matchExpressions).filter(isRecord)) {
    const key = str(expression.key) ?? "";
    const values = list(expression.values);
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    switch (expression.operator) {
      case "In":
        if (!present || !values.includes(labels[key])) return false;
        break;
      case "NotIn":
        if (present && values.includes(labels[key])) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Workloads a policy's config exempts by `namespace/name`, each with its reason in policy/README.md. */
export const EXEMPTIONS_SCHEMA = {
  type: "array",
  items: { type: "string" },
  description: "Workloads (namespace/name) this policy skips; document why in policy/README.md.",
  default: [] as string[],
} as const;
