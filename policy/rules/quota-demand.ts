import type { StackValidationPolicy } from "@pulumi/policy";
import { containersOf, describeObject, podTemplateOf, TYPES } from "./kubernetes";
import { isRecord, list, record, str } from "./values";

/**
 * A ResourceQuota refuses any pod that would take its namespace over a hard limit, and a DaemonSet adds one
 * pod per node: a quota that held staging's first node refuses node-exporter on the second. This sums, per
 * namespace, what everything deployed there may claim at once: every replica (an autoscaler's maximum), a
 * rolling update's surge pods, Helm hook Jobs, one pod per node of each DaemonSet (at the node count the
 * quota declares it was sized for) and the pods the Prometheus operator creates from Prometheus and
 * Alertmanager objects and the Envoy proxies Envoy Gateway creates from an EnvoyProxy, each container at its
 * explicit resources or the namespace's LimitRange default; and the LoadBalancer Services, the EnvoyProxy's
 * (its NLB, which Envoy Gateway creates and a quota of no load balancers refuses) included.
 */

/** Annotation on a ResourceQuota naming the node count it holds (components/core/namespace-manifests.ts). */
export const SIZED_FOR_NODES = "platform.io/sized-for-nodes";

const PROMETHEUS = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const ALERTMANAGER = "kubernetes:monitoring.coreos.com/v1:Alertmanager";
/** Envoy Gateway runs an EnvoyProxy's data plane in its own (the controller's) namespace. */
const ENVOY_PROXY = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";

export interface DemandInput {
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes quantity (`250m`, `1.5`, `512Mi`, `1e3`) as a number of base units (cores, bytes). */
export function parseQuantity(quantity: unknown): number | undefined {
  if (typeof quantity === "number") return quantity;
  if (typeof quantity !== "string") return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(quantity.trim());
  if (!m) return undefined;
  const suffix = m[2] ?? "";
  return Number(m[1]) * (BINARY[suffix] ?? DECIMAL[suffix]);
}

export const DIMENSIONS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;
export type Dimension = (typeof DIMENSIONS)[number];
type Amounts = Record<Dimension, number>;

const zero = (): Amounts => ({ "requests.cpu": 0, "requests.memory": 0, "limits.cpu": 0, "limits.memory": 0 });

export interface ContainerDefaults {
  readonly defaultRequest: Record<string, unknown>;
  readonly defaultLimit: Record<string, unknown>;
}

/** What one container claims: its own figures, else what Kubernetes fills in (request = limit, then LimitRange). */
function containerAmounts(resources: Record<string, unknown>, defaults: ContainerDefaults): Amounts {
  const requests = record(resources.requests);
  const limits = record(resources.limits);
  const out = zero();
  for (const r of ["cpu", "memory"] as const) {
    out[`limits.${r}`] = parseQuantity(limits[r] ?? defaults.defaultLimit[r]) ?? 0;
    out[`requests.${r}`] = parseQuantity(requests[r] ?? limits[r] ?? defaults.defaultRequest[r]) ?? 0;
  }
  return out;
}

/** A pod's effective figures: its containers (and native sidecars) together, or its largest init container. */
export function podAmounts(containers: { resources: Record<string, unknown>; init: boolean; sidecar: boolean }[], defaults: ContainerDefaults): Amounts {
  const running = zero();
  const init = zero();
  for (const c of containers) {
    const a = containerAmounts(c.resources, defaults);
    for (const d of DIMENSIONS) {
      if (!c.init || c.sidecar) running[d] += a[d];
      else init[d] = Math.max(init[d], a[d]);
    }
  }
  for (const d of DIMENSIONS) running[d] = Math.max(running[d], init[d]);
  return running;
}

/** Pods a Deployment may add during a rolling update (maxSurge, 25% by default, rounded up). */
function surgePods(props: Record<string, unknown>, replicas: number): number {
  const strategy = record(record(props.spec).strategy);
  if (strategy.type === "Recreate" || replicas === 0) return 0;
  const surge = record(strategy.rollingUpdate).maxSurge ?? "25%";
  if (typeof surge === "number") return surge;
  const percent = /^(\d+)%$/.exec(String(surge));
  return percent ? Math.ceil((replicas * Number(percent[1])) / 100) : Number(surge) || 0;
}

/**
 * The claims of a pod template's generic ephemeral volumes. Each pod gets its own, deleted only with the pod, and
 * a finished Job keeps its pods: so a CronJob holds those of every attempt (backoffLimit + 1) of the Jobs it
 * keeps (its history limits) and of the one running; anything else those of the pods it runs at once.
 */
function ephemeralClaims(r: DemandInput, runningPods: number): number {
  const perPod = list(record(podTemplateOf(r.type, r.props)?.spec).volumes).filter((v) => isRecord(v) && v.ephemeral !== undefined).length;
  if (perPod === 0) return 0;
  if (r.type !== TYPES.cronJob) return perPod * runningPods;
  const spec = record(r.props.spec);
  const count = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);
  // Kubernetes' defaults: 3 successful and 1 failed Job kept, 6 retries.
  const jobs = count(spec.successfulJobsHistoryLimit, 3) + count(spec.failedJobsHistoryLimit, 1) + 1;
  const attempts = count(record(record(spec.jobTemplate).spec).backoffLimit, 6) + 1;
  return perPod * jobs * attempts;
}

export interface DemandPart {
  /** `Deployment monitoring/loki-gateway`, `Prometheus monitoring/kube-prometheus-stack-prometheus`. */
  readonly object: string;
  readonly pods: number;
  readonly amounts: Amounts;
  readonly persistentVolumeClaims: number;
  /** Services of type LoadBalancer, which the quota counts as services.loadbalancers. */
  readonly loadBalancers: number;
}

export interface NamespaceDemand {
  readonly namespace: string;
  readonly nodes: number | undefined;
  readonly total: Amounts & { pods: number; persistentvolumeclaims: number; "services.loadbalancers": number };
  readonly parts: readonly DemandPart[];
}

/** Resources of the config reloader the operator injects, from its Deployment's arguments (0 means unset). */
export function configReloaderResources(resources: readonly DemandInput[]): Record<string, unknown> {
  for (const r of resources.filter((x) => x.type === TYPES.deployment)) {
    for (const { container } of containersOf(podTemplateOf(r.type, r.props)?.spec ?? {})) {
      const args = list(container.args).filter((a): a is string => typeof a === "string");
      const flag = (name: string) => args.find((a) => a.startsWith(`--config-reloader-${name}=`))?.split("=")[1];
      if (flag("cpu-request") === undefined) continue;
      const value = (name: string) => (flag(name) === undefined || flag(name) === "0" ? undefined : flag(name));
      const requests = { cpu: value("cpu-request"), memory: value("memory-request") };
      const limits = { cpu: value("cpu-limit"), memory: value("memory-limit") };
      const clean = (o: Record<string, string | undefined>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
      return { requests: clean(requests), limits: clean(limits) };
    }
  }
  return {};
}

export function namespaceOf(props: Record<string, unknown>): string {
  return str(record(props.metadata).namespace) ?? "default";
}

export interface WorkloadContainer {
  readonly name: string;
  readonly resources: Record<string, unknown>;
  readonly init: boolean;
  /** A native sidecar: an init container that keeps running beside the others. */
  readonly sidecar: boolean;
}

const envoyDeployment = (spec: Record<string, unknown>) => record(record(record(spec.provider).kubernetes).envoyDeployment);

/**
 * The containers of each pod `r` makes, those the Prometheus operator (its config reloader, `reloader`'s
 * resources) and Envoy Gateway (the shutdown manager) add included; undefined when `r` makes no pods.
 */
export function workloadContainers(r: DemandInput, reloader: Record<string, unknown>): WorkloadContainer[] | undefined {
  const template = podTemplateOf(r.type, r.props);
  if (template) {
    return containersOf(template.spec).map(({ name, container, init }) => ({ name, resources: record(container.resources), init, sidecar: init && container.restartPolicy === "Always" }));
  }
  const spec = record(r.props.spec);
  if (r.type === PROMETHEUS || r.type === ALERTMANAGER) {
    return [
      { name: r.type === PROMETHEUS ? "prometheus" : "alertmanager", resources: record(spec.resources), init: false, sidecar: false },
      { name: "config-reloader", resources: reloader, init: false, sidecar: false },
      { name: "init-config-reloader", resources: reloader, init: true, sidecar: false },
    ];
  }
  if (r.type === ENVOY_PROXY) {
    return [
      { name: "envoy", resources: record(record(envoyDeployment(spec).container).resources), init: false, sidecar: false },
      { name: "shutdown-manager", resources: {}, init: false, sidecar: false },
    ];
  }
  return undefined;
}

/** What every namespace with a ResourceQuota must hold (see the module comment). */
export function namespaceDemand(resources: readonly DemandInput[]): NamespaceDemand[] {
  const quotas = resources.filter((r) => r.type === "kubernetes:core/v1:ResourceQuota");
  const limitRanges = resources.filter((r) => r.type === "kubernetes:core/v1:LimitRange");
  const autoscalers = resources.filter((r) => r.type === TYPES.hpaV2 || r.type === TYPES.hpaV1);
  const reloader = configReloaderResources(resources);
  const out: NamespaceDemand[] = [];
  for (const namespace of [...new Set(quotas.map((q) => namespaceOf(q.props)))].sort()) {
    const quota = quotas.find((q) => namespaceOf(q.props) === namespace)!;
    const sizedFor = str(record(record(quota.props.metadata).annotations)[SIZED_FOR_NODES]);
    const nodes = sizedFor === undefined ? undefined : Number(sizedFor);
    const containerLimits = limitRanges
      .filter((l) => namespaceOf(l.props) === namespace)
      .flatMap((l) => list(record(l.props.spec).limits).filter(isRecord))
      .find((l) => l.type === "Container");
    const defaults: ContainerDefaults = { defaultRequest: record(containerLimits?.defaultRequest), defaultLimit: record(containerLimits?.default) };
    const parts: DemandPart[] = [];
    for (const r of resources.filter((x) => namespaceOf(x.props) === namespace)) {
      const spec = record(r.props.spec);
      const object = describeObject(r.type, r.props, r.name);
      let pods: number | undefined;
      let claims = 0;
      // Envoy Gateway makes the EnvoyProxy's Service in the same namespace, of type LoadBalancer unless it says otherwise.
      const loadBalancers =
        (r.type === "kubernetes:core/v1:Service" && spec.type === "LoadBalancer") ||
        (r.type === ENVOY_PROXY && (record(record(record(spec.provider).kubernetes).envoyService).type ?? "LoadBalancer") === "LoadBalancer")
          ? 1
          : 0;
      const containers = workloadContainers(r, reloader) ?? [];
      if (podTemplateOf(r.type, r.props)) {
        const name = str(record(r.props.metadata).name);
        const hpa = autoscalers.find((h) => record(record(h.props.spec).scaleTargetRef).name === name && namespaceOf(h.props) === namespace);
        const replicas = hpa ? Number(record(hpa.props.spec).maxReplicas) : typeof spec.replicas === "number" ? spec.replicas : 1;
        if (r.type === TYPES.deployment || r.type === TYPES.rollout) pods = replicas + surgePods(r.props, replicas);
        else if (r.type === TYPES.statefulSet) {
          pods = replicas;
          claims = replicas * list(spec.volumeClaimTemplates).length;
        } else if (r.type === "kubernetes:apps/v1:DaemonSet") pods = nodes ?? 1;
        else if (r.type === "kubernetes:batch/v1:Job") pods = typeof spec.parallelism === "number" ? spec.parallelism : 1;
        else pods = 1; // a Pod, or a CronJob's one run at a time
        claims += ephemeralClaims(r, pods);
      } else if (r.type === PROMETHEUS || r.type === ALERTMANAGER) {
        pods = (typeof spec.replicas === "number" ? spec.replicas : 1) * (typeof spec.shards === "number" ? spec.shards : 1);
        claims = record(spec.storage).volumeClaimTemplate !== undefined ? pods : 0;
      } else if (r.type === ENVOY_PROXY) {
        // Its Deployment at its size plus surge.
        const deployment = envoyDeployment(spec);
        const replicas = typeof deployment.replicas === "number" ? deployment.replicas : 1;
        pods = replicas + surgePods({ spec: { strategy: deployment.strategy } }, replicas);
      } else if (r.type === "kubernetes:core/v1:PersistentVolumeClaim") {
        parts.push({ object, pods: 0, amounts: zero(), persistentVolumeClaims: 1, loadBalancers: 0 });
      } else if (loadBalancers > 0) {
        parts.push({ object, pods: 0, amounts: zero(), persistentVolumeClaims: 0, loadBalancers });
      }
      if (pods === undefined) continue;
      const perPod = podAmounts(containers, defaults);
      const amounts = zero();
      for (const d of DIMENSIONS) amounts[d] = perPod[d] * pods;
      parts.push({ object, pods, amounts, persistentVolumeClaims: claims, loadBalancers });
    }
    const total = { ...zero(), pods: 0, persistentvolumeclaims: 0, "services.loadbalancers": 0 };
    for (const p of parts) {
      for (const d of DIMENSIONS) total[d] += p.amounts[d];
      total.pods += p.pods;
      total.persistentvolumeclaims += p.persistentVolumeClaims;
      total["services.loadbalancers"] += p.loadBalancers;
    }
    out.push({ namespace, nodes, total, parts });
  }
  return out;
}

const show = (dimension: string, value: number) =>
  dimension.endsWith("memory") ? `${(value / 2 ** 30).toFixed(2)}Gi` : dimension.endsWith("cpu") ? `${Number(value.toFixed(3))}` : String(value);

/** Each hard limit of the namespace's quota that its demand exceeds, as a message naming the largest parts. */
export function quotaShortfalls(resources: readonly DemandInput[]): { namespace: string; message: string }[] {
  const problems: { namespace: string; message: string }[] = [];
  for (const demand of namespaceDemand(resources)) {
    const quota = resources.find((r) => r.type === "kubernetes:core/v1:ResourceQuota" && namespaceOf(r.props) === demand.namespace)!;
    const hard = record(record(quota.props.spec).hard);
    const daemonSets = demand.parts.some((p) => p.object.startsWith("DaemonSet "));
    if (daemonSets && demand.nodes === undefined) {
      problems.push({
        namespace: demand.namespace,
        message: `namespace ${demand.namespace} runs DaemonSets, but its ResourceQuota does not say how many nodes it holds (annotation ${SIZED_FOR_NODES})`,
      });
    }
    for (const dimension of [...DIMENSIONS, "pods", "persistentvolumeclaims", "services.loadbalancers"] as const) {
      const limit = parseQuantity(hard[dimension]);
      const needed = demand.total[dimension];
      if (limit === undefined || needed <= limit + 1e-9) continue;
      const key = (p: DemandPart) =>
        dimension === "pods" ? p.pods : dimension === "persistentvolumeclaims" ? p.persistentVolumeClaims : dimension === "services.loadbalancers" ? p.loadBalancers : p.amounts[dimension];
      // A load balancer is one per Service, whatever the node count.
      const atNodes = demand.nodes !== undefined && dimension !== "services.loadbalancers";
      const largest = demand.parts
        .filter((p) => key(p) > 0)
        .sort((a, b) => key(b) - key(a))
        .slice(0, 3)
        .map((p) => `${p.object} ${show(dimension, key(p))}`)
        .join(", ");
      problems.push({
        namespace: demand.namespace,
        message:
          `namespace ${demand.namespace} may need ${show(dimension, needed)} of ${dimension}` +
          `${atNodes ? ` at ${demand.nodes} node${demand.nodes === 1 ? "" : "s"}` : ""}, but its ResourceQuota allows ${show(dimension, limit)} ` +
          `(largest: ${largest}); raise the quota or lower what runs there`,
      });
    }
  }
  return problems;
}

export const quotaHoldsDemand: StackValidationPolicy = {
  name: "k8s-quota-holds-demand",
  description: "Each namespace's ResourceQuota holds everything deployed there at once, DaemonSets at the node count it is sized for.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
    const quotas = new Map(args.resources.filter((r) => r.type === "kubernetes:core/v1:ResourceQuota").map((r) => [namespaceOf(r.props), r.urn]));
    for (const { namespace, message } of quotaShortfalls(resources)) reportViolation(message, quotas.get(namespace));
  },
};
