import type { StackValidationPolicy } from "@pulumi/policy";
import { describeObject, podTemplateOf } from "./kubernetes";
import { configReloaderResources, type DemandInput, namespaceOf, parseQuantity, podAmounts, workloadContainers } from "./quota-demand";
import { isRecord, list, record } from "./values";

/**
 * A namespace's LimitRange refuses every pod with a container above its maximum (or below its minimum), and
 * the refusal comes late: the Deployment, StatefulSet or operator object is accepted, and its controller's
 * pods are refused one by one, so `pulumi up` waits for a rollout that never starts. The stack file's own
 * sizes are checked when it loads (components/platform/deployability.ts); this checks every container of
 * every object the plan holds, the charts' containers and those the Prometheus operator and Envoy Gateway
 * add included, as LimitRanger sees them: a missing limit or request takes the LimitRange's default, a
 * missing request the container's limit. An entry of type Pod bounds a pod's containers together (its
 * running containers summed, or its largest init container), one of type PersistentVolumeClaim every claim's
 * storage, the claims a StatefulSet or the operator makes from their templates included.
 */
export function limitRangeRefusals(resources: readonly DemandInput[]): { namespace: string; message: string }[] {
  const reloader = configReloaderResources(resources);
  const problems: { namespace: string; message: string }[] = [];
  for (const limitRange of resources.filter((r) => r.type === "kubernetes:core/v1:LimitRange")) {
    const namespace = namespaceOf(limitRange.props);
    const items = list(record(limitRange.props.spec).limits).filter(isRecord);
    // LimitRanger fills in a container's missing figures from the Container entry before it checks the pod.
    const containerEntry = items.find((item) => item.type === "Container") ?? {};
    const defaults = { limits: record(containerEntry.default), requests: record(containerEntry.defaultRequest) };
    for (const item of items) {
      const bounds = { max: record(item.max), min: record(item.min) };
      for (const r of resources.filter((x) => namespaceOf(x.props) === namespace)) {
        const object = describeObject(r.type, r.props, r.name);
        const refused = `the API server would refuse every pod it makes: change the ${item.type === "Pod" ? "containers" : "container"} or the LimitRange`;
        if (item.type === "PersistentVolumeClaim") {
          for (const claim of claimsOf(r)) {
            const findings = outOfRange(["storage"], { requests: record(claim.resources.requests), limits: record(claim.resources.limits) }, bounds);
            if (findings.length > 0) {
              problems.push({
                namespace,
                message: `${object}: claim "${claim.name}" does not fit the LimitRange of namespace ${namespace}: ${findings.join(", ")}; the API server would refuse the claim: change its size or the LimitRange`,
              });
            }
          }
          continue;
        }
        const containers = workloadContainers(r, reloader);
        if (containers === undefined) continue;
        if (item.type === "Pod") {
          const pod = podAmounts(containers, { defaultLimit: defaults.limits, defaultRequest: defaults.requests });
          const figures = {
            limits: { cpu: pod["limits.cpu"], memory: pod["limits.memory"] },
            requests: { cpu: pod["requests.cpu"], memory: pod["requests.memory"] },
          };
          const findings = outOfRange(["cpu", "memory"], figures, bounds);
          if (findings.length > 0) {
            problems.push({ namespace, message: `${object}: its pod (all its containers together) does not fit the LimitRange of namespace ${namespace}: ${findings.join(", ")}; ${refused}` });
          }
          continue;
        }
        if (item.type !== "Container") continue;
        for (const { name, resources: own } of containers) {
          const limits = record(own.limits);
          const requests = record(own.requests);
          const figures: Record<"limits" | "requests", Record<string, unknown>> = { limits: {}, requests: {} };
          for (const resource of ["cpu", "memory"] as const) {
            figures.limits[resource] = limits[resource] ?? defaults.limits[resource];
            figures.requests[resource] = requests[resource] ?? limits[resource] ?? defaults.requests[resource];
          }
          const findings = outOfRange(["cpu", "memory"], figures, bounds);
          if (findings.length === 0) continue;
          problems.push({ namespace, message: `${object}: container "${name}" does not fit the LimitRange of namespace ${namespace}: ${findings.join(", ")}; ${refused}` });
        }
      }
    }
  }
  return problems;
}

/** Each figure above the entry's maximum or below its minimum, as `limits.cpu 2 above its maximum 1`. */
function outOfRange(
  names: readonly string[],
  figures: Record<"limits" | "requests", Record<string, unknown>>,
  bounds: { max: Record<string, unknown>; min: Record<string, unknown> },
): string[] {
  const findings: string[] = [];
  for (const resource of names) {
    const [above, below] = [parseQuantity(bounds.max[resource]), parseQuantity(bounds.min[resource])];
    // A request above the maximum follows from its limit above it: the limit is the one to name.
    const over = (["limits", "requests"] as const).find((kind) => above !== undefined && (parseQuantity(figures[kind][resource]) ?? 0) > above + 1e-12);
    if (over) findings.push(`${over}.${resource} ${shown(resource, figures[over][resource])} above its maximum ${String(bounds.max[resource])}`);
    const under = (["requests", "limits"] as const).find((kind) => below !== undefined && (parseQuantity(figures[kind][resource]) ?? Infinity) < below - 1e-12);
    if (under) findings.push(`${under}.${resource} ${shown(resource, figures[under][resource])} below its minimum ${String(bounds.min[resource])}`);
  }
  return findings;
}

/** A quantity as written, or a pod's sum (cores, bytes) as millicores or Mi. */
function shown(resource: string, value: unknown): string {
  if (typeof value !== "number") return String(value);
  return resource === "cpu" ? `${Number((value * 1000).toFixed(3))}m` : `${Number((value / 2 ** 20).toFixed(2))}Mi`;
}

const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

/** The claims `r` is or makes: a PersistentVolumeClaim, a StatefulSet's templates, the operator's storage template. */
function claimsOf(r: DemandInput): { name: string; resources: Record<string, unknown> }[] {
  const spec = record(r.props.spec);
  if (r.type === PVC) return [{ name: String(record(r.props.metadata).name ?? r.name), resources: record(spec.resources) }];
  if (podTemplateOf(r.type, r.props)) {
    return list(spec.volumeClaimTemplates)
      .filter(isRecord)
      .map((t) => ({ name: String(record(t.metadata).name), resources: record(record(t.spec).resources) }));
  }
  const template = record(record(spec.storage).volumeClaimTemplate);
  if (Object.keys(template).length === 0) return [];
  return [{ name: String(record(template.metadata).name ?? "storage.volumeClaimTemplate"), resources: record(record(template.spec).resources) }];
}

export const limitRangeAdmits: StackValidationPolicy = {
  name: "k8s-limit-range-admits",
  description: "Every container, pod and volume claim of every workload fits its namespace's LimitRange (maximum and minimum, with its defaults applied).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
    const limitRanges = new Map(args.resources.filter((r) => r.type === "kubernetes:core/v1:LimitRange").map((r) => [namespaceOf(r.props), r.urn]));
    for (const { namespace, message } of limitRangeRefusals(resources)) reportViolation(message, limitRanges.get(namespace));
  },
};
