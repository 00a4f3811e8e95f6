import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { objectKey, TYPES } from "./kubernetes";
import { list, record } from "./values";

/** A NetworkPolicy that selects every pod and allows nothing, in both directions. */
function isDefaultDeny(policy: PolicyResource): boolean {
  const spec = record(policy.props.spec);
  const selector = record(spec.podSelector);
  const selectsAll = Object.keys(record(selector.matchLabels)).length === 0 && list(selector.matchExpressions).length === 0;
  const types = list(spec.policyTypes);
  return (
    selectsAll &&
    types.includes("Ingress") &&
    types.includes("Egress") &&
    list(spec.ingress).length === 0 &&
    list(spec.egress).length === 0
  );
}

/**
 * NetworkPolicies only ever add allowances, and a namespace without any policy allows everything; the
 * default deny is what turns the explicit allow-policies into a whitelist. A stack policy, because the
 * Namespace and its NetworkPolicies are separate resources.
 */
export const namespaceDefaultDeny: StackValidationPolicy = {
  name: "k8s-namespace-default-deny",
  description: "Every Namespace has a NetworkPolicy that selects all pods and denies all ingress and egress.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const policies = args.resources.filter((r) => r.type === TYPES.networkPolicy);
    for (const namespace of args.resources.filter((r) => r.type === TYPES.namespace)) {
      const name = objectKey(namespace.props, namespace.name).split("/")[1];
      const denies = policies.some((p) => record(p.props.metadata).namespace === name && isDefaultDeny(p));
      if (!denies) {
        reportViolation(
          `Namespace ${name} has no default-deny NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules`,
          namespace.urn,
        );
      }
    }
  },
};
