import type { ResourceValidationPolicy } from "@pulumi/policy";
import { objectKey, TYPES } from "./kubernetes";
import { record, settings } from "./values";

const DEFAULTS = { allowedLoadBalancers: [] as string[] };

/**
 * Every LoadBalancer Service is a cloud load balancer with a public address and a monthly bill, outside the
 * ingress controller's TLS, WAF and access logs. The few that must exist are listed per stack in the pack
 * config, so adding one is a reviewed change to policy/config/<stack>.json.
 */
export const loadBalancers: ResourceValidationPolicy = {
  name: "k8s-no-unapproved-load-balancers",
  description: "Services of type LoadBalancer exist only where the pack config's allowedLoadBalancers lists them.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: {
    properties: {
      allowedLoadBalancers: {
        type: "array",
        items: { type: "string" },
        default: DEFAULTS.allowedLoadBalancers,
        description: "Services (namespace/name) allowed to be of type LoadBalancer.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.service || record(args.props.spec).type !== "LoadBalancer") return;
    const key = objectKey(args.props, args.name);
    if (settings(args, DEFAULTS).allowedLoadBalancers.includes(key)) return;
    reportViolation(
      `Service ${key} is of type LoadBalancer, which this stack does not allow; route it through the ingress controller ` +
        `or add "${key}" to allowedLoadBalancers in the pack config`,
    );
  },
};
