import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, workloadUnderCheck } from "./kubernetes";
import { record } from "./values";

const FIELDS = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"] as const;

/**
 * Requests are what the scheduler and the namespace quota count; limits are what stops one container from
 * starving its node. The namespace LimitRange fills in defaults, but a default sized for "any container" is
 * wrong for every real one, so each container states its own.
 */
export const containerResources: ResourceValidationPolicy = {
  name: "k8s-container-resources",
  description: "Every container (including init containers) sets cpu and memory requests and limits.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    const workload = workloadUnderCheck(args);
    if (!workload) return;
    const { template, object } = workload;
    for (const { name, container } of containersOf(template.spec)) {
      const resources = record(container.resources);
      for (const field of FIELDS) {
        const [section, resource] = field.split(".");
        if (record(resources[section])[resource] === undefined) {
          reportViolation(`${object}: container "${name}" sets no resources.${field}; set cpu and memory requests and limits`);
        }
      }
    }
  },
};
