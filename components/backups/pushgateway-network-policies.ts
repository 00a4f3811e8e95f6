import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { commonLabels, LABEL } from "../core/labels";

/** Pods of the Pushgateway release (the chart's selector labels for release "pushgateway"). */
export const PUSHGATEWAY_PODS = { "app.kubernetes.io/name": "prometheus-pushgateway", "app.kubernetes.io/instance": "pushgateway" } as const;
const PUSHGATEWAY_PORT = 9091;

/** The backup and restore-drill job pods (label set by backup-cronjobs.ts). */
const JOB_PODS = { matchExpressions: [{ key: "platform.io/component", operator: "In", values: ["backup", "restore-drill"] }] };

/**
 * The jobs push their last-success/failure gauges to the Pushgateway in the monitoring namespace. Both
 * namespaces deny by default, and an ipBlock egress does not reliably cover pod IPs, so the path is opened
 * on both sides: egress from the job pods here, ingress to the Pushgateway there, port 9091 only.
 */
export function pushgatewayNetworkPolicies(input: {
  readonly environment: string;
  readonly backupNamespace: string;
  readonly monitoringNamespace: string;
}): { readonly egress: NetworkPolicy; readonly ingress: NetworkPolicy } {
  const labels = { ...commonLabels(input.environment), "platform.io/component": "backup" };
  const ports = [{ protocol: "TCP", port: PUSHGATEWAY_PORT }];
  const inNamespace = (name: string) => ({ matchLabels: { [LABEL.namespaceName]: name } });
  return {
    egress: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "backup-jobs-to-pushgateway", namespace: input.backupNamespace, labels },
      spec: {
        podSelector: JOB_PODS,
        policyTypes: ["Egress"],
        egress: [{ to: [{ namespaceSelector: inNamespace(input.monitoringNamespace), podSelector: { matchLabels: { ...PUSHGATEWAY_PODS } } }], ports }],
      },
    },
    ingress: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "pushgateway-from-backup-jobs", namespace: input.monitoringNamespace, labels },
      spec: {
        podSelector: { matchLabels: { ...PUSHGATEWAY_PODS } },
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: inNamespace(input.backupNamespace), podSelector: JOB_PODS }], ports }],
      },
    },
  };
}
