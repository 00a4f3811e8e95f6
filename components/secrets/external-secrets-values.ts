import { sized } from "../core/ephemeral-storage";
import { spreadOverNodes } from "../core/node-spread";
import { spreadOverZones } from "../core/zone-spread";
import { IRSA_ROLE_ANNOTATION } from "../core/irsa-role";
import { commonLabels } from "../core/labels";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { CHART_POD_GROUP, chartPodSecurityContext, chartPodUserAndGroup } from "../core/chart-pod-user";
import { SYNCED_SECRET_LABEL } from "./secret-store";

/** ServiceAccount of ESO's controller (named after the release), which the IRSA role trusts. */
export const EXTERNAL_SECRETS_SERVICE_ACCOUNT = "external-secrets";

/** Labels of ESO's webhook pods (the chart's selector labels), which the API server must reach on 10250. */
export const EXTERNAL_SECRETS_WEBHOOK_PODS = { "app.kubernetes.io/name": "external-secrets-webhook", "app.kubernetes.io/instance": "external-secrets" } as const;

const EXTERNAL_SECRETS_CONTROLLER_PODS = { "app.kubernetes.io/instance": "external-secrets", "app.kubernetes.io/name": "external-secrets" } as const;
const EXTERNAL_SECRETS_CERT_CONTROLLER_PODS = { "app.kubernetes.io/instance": "external-secrets", "app.kubernetes.io/name": "external-secrets-cert-controller" } as const;

/**
 * External Secrets Operator 2.9 values: the controller (leader-elected, so production runs two), its
 * validating webhook and the cert-controller that keeps the webhook's certificate. Only what the platform
 * uses is processed: ExternalSecrets and the ClusterSecretStore; nothing is pushed back to a provider.
 */
export function externalSecretsValues(input: { environment: "staging" | "production"; roleArn: string }) {
  const replicas = input.environment === "production" ? 2 : 1;
  const budget = { enabled: true, maxUnavailable: 1 };
  const monitor = { enabled: true, additionalLabels: { ...PROMETHEUS_SELECTOR_LABELS } };
  const podContext = { enabled: true, ...chartPodSecurityContext };
  return {
    installCRDs: true,
    // The chart templates its CRDs, so Helm would delete them on uninstall or when an upgrade drops one, and every
    // ExternalSecret with them (and the Secrets they own). Kept, as cert-manager's chart keeps its own (crds.keep).
    crds: {
      createClusterExternalSecret: false,
      createClusterGenerator: false,
      createClusterPushSecret: false,
      createPushSecret: false,
      annotations: { "helm.sh/resource-policy": "keep" },
    },
    replicaCount: replicas,
    leaderElect: true,
    processClusterExternalSecret: false,
    processClusterPushSecret: false,
    processPushSecret: false,
    processClusterGenerator: false,
    serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: input.roleArn } },
    resources: sized("50m", "128Mi", "500m", "512Mi"),
    // ESO's containers carry the whole context (non-root, read-only root, no capabilities); only the user changes,
    // from the chart's 1000 to the image's own nobody, with its group (the chart sets none). Helm merges the rest.
    // The webhook only reads its certificate Secret's volume (mode 0644), so no fsGroup.
    securityContext: chartPodUserAndGroup,
    // The chart sets no pod context (its default has only `enabled`): the same user, non-root and seccomp profile
    // for any container without a context of its own.
    podSecurityContext: podContext,
    affinity: spreadOverNodes(EXTERNAL_SECRETS_CONTROLLER_PODS),
    topologySpreadConstraints: spreadOverZones(EXTERNAL_SECRETS_CONTROLLER_PODS, "Deployment"),
    podDisruptionBudget: budget,
    serviceMonitor: monitor,
    // The chart leaves the probes off by default; the health server they need starts with them.
    livenessProbe: { enabled: true },
    readinessProbe: { enabled: true },
    webhook: { replicaCount: replicas, resources: sized("20m", "64Mi", "200m", "256Mi"), securityContext: chartPodUserAndGroup, podSecurityContext: podContext, affinity: spreadOverNodes(EXTERNAL_SECRETS_WEBHOOK_PODS), topologySpreadConstraints: spreadOverZones(EXTERNAL_SECRETS_WEBHOOK_PODS, "Deployment"), podDisruptionBudget: budget, livenessProbe: { enabled: true } },
    certController: {
      replicaCount: replicas,
      resources: sized("20m", "64Mi", "200m", "256Mi"),
      securityContext: chartPodUserAndGroup,
      podSecurityContext: podContext,
      affinity: spreadOverNodes(EXTERNAL_SECRETS_CERT_CONTROLLER_PODS),
      topologySpreadConstraints: spreadOverZones(EXTERNAL_SECRETS_CERT_CONTROLLER_PODS, "Deployment"),
      podDisruptionBudget: budget,
      livenessProbe: { enabled: true },
    },
  };
}

/**
 * Stakater Reloader 1.4 values: roll a Deployment when a Secret its `secret.reloader.stakater.com/reload`
 * annotation names changes. It watches only Secrets ESO wrote for apps (the label below) and no ConfigMaps,
 * and it marks the pod template with an annotation (reloadStrategy annotations) instead of adding an env
 * var, so the fields it sets never collide with the ones Pulumi applies.
 */
export function reloaderValues(input: { environment: "staging" | "production" }) {
  const replicas = input.environment === "production" ? 2 : 1;
  const selector = Object.entries(SYNCED_SECRET_LABEL).map(([k, v]) => `${k}=${v}`).join(",");
  return {
    reloader: {
      reloadStrategy: "annotations",
      ignoreConfigMaps: true,
      resourceLabelSelector: selector,
      enableHA: replicas > 1,
      readOnlyRootFileSystem: true,
      deployment: {
        replicas,
        resources: sized("10m", "64Mi", "100m", "256Mi"),
        // The chart's pod context runs as nobody but leaves the group to the image; Reloader writes only to its
        // /tmp emptyDir, which fsGroup gives to that group.
        securityContext: { ...chartPodSecurityContext, fsGroup: CHART_POD_GROUP },
        // The container's is empty by default.
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
        // The leader's standby in another zone takes over when the leader's zone goes.
        topologySpreadConstraints: spreadOverZones(RELOADER_PODS, "Deployment"),
      },
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      // The PodMonitor is reloaderPodMonitor's: the chart's always carries `release: reloader`.
      podMonitor: { enabled: false },
    },
  };
}

/** Labels of Reloader's pods (the chart's selector labels for release `reloader`). */
export const RELOADER_PODS = { app: "reloader-reloader", release: "reloader" } as const;

/**
 * Prometheus' PodMonitor of Reloader. Not the chart's: chart 2.2.16 labels its PodMonitor `release: reloader`
 * (the Helm release) whatever the values say, so the `release: kube-prometheus-stack` that Prometheus selects
 * could only be added as a second `release` key, which YAML forbids (the plan refuses it; other parsers keep
 * either value).
 */
export function reloaderPodMonitor(input: { environment: string; namespace: string }) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "reloader", namespace: input.namespace, labels: { ...commonLabels(input.environment), ...PROMETHEUS_SELECTOR_LABELS } },
    spec: {
      namespaceSelector: { matchNames: [input.namespace] },
      selector: { matchLabels: { ...RELOADER_PODS } },
      podMetricsEndpoints: [{ port: "http", path: "/metrics", honorLabels: true }],
    },
  };
}
