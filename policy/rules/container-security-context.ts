import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, EXEMPTIONS_SCHEMA, workloadUnderCheck } from "./kubernetes";
import { record, settings } from "./values";

const DEFAULTS = { exemptions: [] as string[] };

/**
 * The container half of the Pod Security "restricted" profile, checked before the API server sees it: a
 * namespace enforcing only "baseline" (or a Helm chart's defaults) would otherwise admit a root container
 * that can write its image and gain privileges.
 */
export const containerSecurityContext: ResourceValidationPolicy = {
  name: "k8s-container-security-context",
  description: "Containers run as non-root with a read-only root filesystem, no privilege escalation and no privileged mode.",
  enforcementLevel: "mandatory",
  severity: "high",
  configSchema: { properties: { exemptions: EXEMPTIONS_SCHEMA } },
  validateResource: (args, reportViolation) => {
    const workload = workloadUnderCheck(args, settings(args, DEFAULTS).exemptions);
    if (!workload) return;
    const { template, object } = workload;
    const pod = record(template.spec.securityContext);
    for (const { name, container } of containersOf(template.spec)) {
      const own = record(container.securityContext);
      const prefix = `${object}: container "${name}"`;
      // A container setting overrides the pod's, as the kubelet resolves them.
      if ((own.runAsNonRoot ?? pod.runAsNonRoot) !== true) {
        reportViolation(`${prefix} does not set runAsNonRoot: true (container or pod securityContext); run it as a non-root user`);
      }
      if ((own.runAsUser ?? pod.runAsUser) === 0) {
        reportViolation(`${prefix} runs as UID 0 (runAsUser: 0); use a non-zero UID`);
      }
      if (own.readOnlyRootFilesystem !== true) {
        reportViolation(`${prefix} does not set securityContext.readOnlyRootFilesystem: true; mount an emptyDir where it must write`);
      }
      if (own.allowPrivilegeEscalation !== false) {
        reportViolation(`${prefix} does not set securityContext.allowPrivilegeEscalation: false`);
      }
      if (own.privileged === true) {
        reportViolation(`${prefix} is privileged (securityContext.privileged: true); grant the specific capability it needs instead`);
      }
    }
  },
};
