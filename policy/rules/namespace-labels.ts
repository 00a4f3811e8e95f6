import type { ResourceValidationPolicy } from "@pulumi/policy";
import { labelsOf, objectKey, TYPES } from "./kubernetes";
import { settings } from "./values";

const DEFAULTS = {
  requiredLabels: ["platform.io/team", "platform.io/environment", "pod-security.kubernetes.io/enforce"],
  expectedLabels: {} as Record<string, string>,
};

/**
 * Alert routing reads the team label, dashboards and quotas the environment label, and Pod Security Admission
 * enforces nothing without its label. Per stack, expectedLabels pins values: a production namespace labelled
 * "staging" (a copied stack file) would route production alerts to the staging channel.
 */
export const namespaceLabels: ResourceValidationPolicy = {
  name: "k8s-namespace-labels",
  description: "Namespaces carry the labels alert routing, quotas and Pod Security Admission rely on, with this stack's values.",
  enforcementLevel: "mandatory",
  severity: "medium",
  configSchema: {
    properties: {
      requiredLabels: {
        type: "array",
        items: { type: "string" },
        default: DEFAULTS.requiredLabels,
        description: "Label keys every Namespace must have.",
      },
      expectedLabels: {
        type: "object",
        additionalProperties: { type: "string" },
        default: DEFAULTS.expectedLabels,
        description: "Label keys whose value is fixed for this stack, e.g. platform.io/environment.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.namespace) return;
    const { requiredLabels, expectedLabels } = settings(args, DEFAULTS);
    // A Namespace is cluster-scoped: its key is its name alone.
    const namespace = objectKey(args.props, args.name).split("/")[1];
    const labels = labelsOf(args.props);
    // A label with a fixed value is required too.
    for (const key of new Set([...requiredLabels, ...Object.keys(expectedLabels)])) {
      if (labels[key] === undefined) reportViolation(`Namespace ${namespace} is missing the required label ${key}`);
    }
    for (const [key, value] of Object.entries(expectedLabels)) {
      if (labels[key] !== undefined && labels[key] !== value) {
        reportViolation(`Namespace ${namespace} has ${key}: ${JSON.stringify(labels[key])}; this stack requires ${JSON.stringify(value)}`);
      }
    }
  },
};
