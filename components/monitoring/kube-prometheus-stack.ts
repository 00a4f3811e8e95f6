import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { helmChartArgs } from "./charts";
import { admissionWebhookPolicy } from "../core/webhook-network-policy";
import {
  GRAFANA_ADMIN_SECRET,
  grafanaSidecarRole,
  kubePrometheusStackValues,
  PROMETHEUS_OPERATOR_WEBHOOK_PODS,
  PROMETHEUS_OPERATOR_WEBHOOK_PORT,
} from "./kube-prometheus-stack-values";
import type { MonitoringInput } from "./monitoring-input";

export type KubePrometheusStackArgs = MonitoringInput;

/**
 * Lets the API server reach the operator's admission webhooks through the monitoring namespace's default deny.
 * Their failurePolicy is Ignore, so without it nothing is refused: every PrometheusRule and AlertmanagerConfig
 * write waits out the 10 s webhook timeout and is then admitted unvalidated.
 */
export function operatorWebhookPolicy(args: Pick<KubePrometheusStackArgs, "environment" | "namespace">) {
  return admissionWebhookPolicy({
    environment: args.environment,
    namespace: args.namespace,
    name: "allow-webhook-from-api-server",
    pods: PROMETHEUS_OPERATOR_WEBHOOK_PODS,
    port: PROMETHEUS_OPERATOR_WEBHOOK_PORT,
  });
}

/**
 * Prometheus Operator, Prometheus, Alertmanager, Grafana, kube-state-metrics and node-exporter.
 * helm.v3.Release rather than v4.Chart: the chart ships CRDs and hook Jobs (CRD upgrade, admission
 * webhook certificates) that need Helm's own lifecycle, and an atomic release rolls a failed upgrade
 * back as a whole and keeps `helm history` for operators. The cost: its objects are not rendered offline.
 */
export class KubePrometheusStack extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;

  constructor(name: string, args: KubePrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:KubePrometheusStack", name, {}, opts);
    const password = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, { parent: this });
    // Grafana reads its admin credentials from this Secret, so the password never appears in Helm values.
    const adminSecret = new k8s.core.v1.Secret(
      `${name}-grafana-admin`,
      {
        metadata: { name: GRAFANA_ADMIN_SECRET.name, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "platform" } },
        type: "Opaque",
        stringData: { [GRAFANA_ADMIN_SECRET.userKey]: "admin", [GRAFANA_ADMIN_SECRET.passwordKey]: password.result },
      },
      { parent: this },
    );
    const sidecarRole = new k8s.rbac.v1.Role(`${name}-grafana-sidecars`, grafanaSidecarRole(args.namespace), { parent: this });
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      {
        ...helmChartArgs("kubePrometheusStack", args.namespace, kubePrometheusStackValues(args)),
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
        maxHistory: 10,
      },
      { parent: this, dependsOn: [adminSecret, sidecarRole] },
    );
    new k8s.networking.v1.NetworkPolicy(`${name}-webhook-from-api-server`, operatorWebhookPolicy(args), { parent: this });
    this.registerOutputs({ release: this.release.status });
  }
}
