import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describeObject, TYPES } from "./kubernetes";
import { record } from "./values";

const REQUIRED = [
  ["concurrencyPolicy", "set Forbid (or Replace) so a slow run and the next one cannot overlap"],
  ["successfulJobsHistoryLimit", "set it so finished Jobs and their pods are cleaned up"],
  ["failedJobsHistoryLimit", "set it so failed Jobs are kept for diagnosis but not forever"],
] as const;

/**
 * Kubernetes' defaults (Allow, 3, 1) let a backup that runs longer than its interval start a second copy
 * against the same database and target; stating all three makes the choice visible in review.
 */
export const cronJobLimits: ResourceValidationPolicy = {
  name: "k8s-cronjob-limits",
  description: "CronJobs set concurrencyPolicy and both job history limits explicitly.",
  enforcementLevel: "mandatory",
  severity: "medium",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.cronJob) return;
    const spec = record(args.props.spec);
    const object = describeObject(args.type, args.props, args.name);
    for (const [field, fix] of REQUIRED) {
      if (spec[field] === undefined) reportViolation(`${object} does not set spec.${field}; ${fix}`);
    }
  },
};
