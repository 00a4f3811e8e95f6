import type { ResourceValidationPolicy } from "@pulumi/policy";
import { EXEMPTIONS_SCHEMA, workloadUnderCheck } from "./kubernetes";
import { isRecord, list, record, settings, str } from "./values";

const DEFAULTS = { exemptions: [] as string[] };

const HOST_NAMESPACES = [
  ["hostNetwork", "network"],
  ["hostPID", "process"],
  ["hostIPC", "IPC"],
] as const;

/**
 * A pod sharing a node namespace or mounting a node path can see or change every other pod on that node, so
 * one compromised container becomes a compromised node. Node agents that truly need it (a log collector
 * reading /var/log) are exempted by name in the pack config, with the reason in policy/README.md.
 */
export const hostIsolation: ResourceValidationPolicy = {
  name: "k8s-no-host-access",
  description: "Pods use no host network/PID/IPC namespace and mount no hostPath volume.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: { properties: { exemptions: EXEMPTIONS_SCHEMA } },
  validateResource: (args, reportViolation) => {
    const workload = workloadUnderCheck(args, settings(args, DEFAULTS).exemptions);
    if (!workload) return;
    const { template, object } = workload;
    for (const [field, namespace] of HOST_NAMESPACES) {
      if (template.spec[field] === true) {
        reportViolation(`${object}: ${template.path}.${field}: true shares the node's ${namespace} namespace; remove it`);
      }
    }
    for (const volume of list(template.spec.volumes).filter(isRecord)) {
      if (isRecord(volume.hostPath)) {
        const path = str(record(volume.hostPath).path) ?? "";
        reportViolation(
          `${object}: volume "${str(volume.name) ?? ""}" mounts hostPath ${path} from the node; use an emptyDir, a PersistentVolumeClaim or a CSI volume`,
        );
      }
    }
  },
};
