import type { StackValidationPolicy } from "@pulumi/policy";
import { describeObject } from "./kubernetes";
import { configReloaderResources, type DemandInput, namespaceOf, parseQuantity, workloadContainers } from "./quota-demand";
import { isRecord, list, record } from "./values";

/**
 * A namespace's LimitRange refuses every pod with a container above its maximum (or below its minimum), and
 * the refusal comes late: the Deployment, StatefulSet or operator object is accepted, and its controller's
 * pods are refused one by one, so `pulumi up` waits for a rollout that never starts. The stack file's own
 * sizes are checked when it loads (components/platform/deployability.ts); this checks every container of
 * every object the plan holds, the charts' containers and those the Prometheus operator and Envoy Gateway
 * add included, as LimitRanger sees them: a missing limit or request takes the LimitRange's default, a
 * missing request the container's limit.
 */
export function limitRangeRefusals(resources: readonly DemandInput[]): { namespace: string; message: string }[] {
  const reloader = configReloaderResources(resources);
  const problems: { namespace: string; message: string }[] = [];
  for (const limitRange of resources.filter((r) => r.type === "kubernetes:core/v1:LimitRange")) {
    const namespace = namespaceOf(limitRange.props);
    for (const item of list(record(limitRange.props.spec).limits).filter(isRecord)) {
      if (item.type !== "Container") continue;
      const [max, min] = [record(item.max), record(item.min)];
      const defaults = { limits: record(item.default), requests: record(item.defaultRequest) };
      for (const r of resources.filter((x) => namespaceOf(x.props) === namespace)) {
        for (const { name, resources: own } of workloadContainers(r, reloader) ?? []) {
          const limits = record(own.limits);
          const requests = record(own.requests);
          const findings: string[] = [];
          for (const resource of ["cpu", "memory"] as const) {
            const figures = { limits: limits[resource] ?? defaults.limits[resource], requests: requests[resource] ?? limits[resource] ?? defaults.requests[resource] };
            const [above, below] = [parseQuantity(max[resource]), parseQuantity(min[resource])];
            // A request above the maximum follows from its limit above it: the limit is the one to name.
            const over = (["limits", "requests"] as const).find((kind) => above !== undefined && (parseQuantity(figures[kind]) ?? 0) > above + 1e-12);
            if (over) findings.push(`${over}.${resource} ${String(figures[over])} above its maximum ${String(max[resource])}`);
            const under = (["requests", "limits"] as const).find((kind) => below !== undefined && (parseQuantity(figures[kind]) ?? Infinity) < below - 1e-12);
            if (under) findings.push(`${under}.${resource} ${String(figures[under])} below its minimum ${String(min[resource])}`);
          }
          if (findings.length === 0) continue;
          problems.push({
            namespace,
            message:
              `${describeObject(r.type, r.props, r.name)}: container "${name}" does not fit the LimitRange of namespace ${namespace}: ${findings.join(", ")}; ` +
              `the API server would refuse every pod it makes: change the container or the LimitRange`,
          });
        }
      }
    }
  }
  return problems;
}

export const limitRangeAdmits: StackValidationPolicy = {
  name: "k8s-limit-range-admits",
  description: "Every container of every workload fits its namespace's LimitRange (maximum and minimum, with its defaults applied).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map((r) => ({ type: r.type, name: r.name, props: r.props }));
    const limitRanges = new Map(args.resources.filter((r) => r.type === "kubernetes:core/v1:LimitRange").map((r) => [namespaceOf(r.props), r.urn]));
    for (const { namespace, message } of limitRangeRefusals(resources)) reportViolation(message, limitRanges.get(namespace));
  },
};
