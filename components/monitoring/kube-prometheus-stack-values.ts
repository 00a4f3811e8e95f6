import type { Toleration, TopologySpreadConstraint } from "kubernetes-types/core/v1";
import { grafanaHostname } from "../../stacks/schema";
import type { ResourceSettings } from "../../stacks/schema";
import { CHART_RULE_GROUPS_NEVER_SATISFIED, chartDefaultRulesDisabled } from "../alerting/symptoms";
import { CHART_CONTAINER_RESOURCES } from "./chart-container-resources";
import { type ScrapedComponent, unscrapableComponents } from "./cluster-flavour";
import { alertmanagerConfigSecretValues } from "../core/alertmanager-config-secret";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { type MonitoringInput, monitoringUrls } from "./monitoring-input";
import { MONITORING_PRIORITY_CLASS } from "./monitoring-priority";
import { nodeAgentScheduling } from "./node-agent-scheduling";
import { DATASOURCE_UIDS, EXEMPLAR_TRACE_ID_DESTINATION, type GrafanaDataSource, lokiTraceLinks, tempoDataSource } from "./trace-datasources";
import { withEphemeralStorage, withVolumes } from "../core/ephemeral-storage";
import { chartPodSecurityContext } from "../core/chart-pod-user";
import { spreadOverZones } from "../core/zone-spread";

/** The subset of kube-prometheus-stack 88.x values the platform sets; a misspelt key is a compile error. */
export interface KubePrometheusStackValues extends Record<ScrapedComponent, { enabled: boolean }> {
  crds: { enabled: boolean; upgradeJob: { enabled: boolean; image: { busybox: { tag: string } }; resources: ResourceSettings } };
  commonLabels: Record<string, string>;
  defaultRules: { create: boolean; rules: Record<string, false>; additionalRuleLabels: Record<string, string>; disabled: Record<string, true> };
  prometheusOperator: {
    resources: ResourceSettings;
    prometheusConfigReloader: { resources: ResourceSettings };
    admissionWebhooks: { patch: { resources: ResourceSettings; securityContext: { runAsNonRoot: true; runAsUser: number; runAsGroup: number; seccompProfile: { type: "RuntimeDefault" } } } };
  };
  "kube-state-metrics": { resources: ResourceSettings; collectorsExclude: string[]; selfMonitor: { enabled: boolean } };
  nodeExporter: { operatingSystems: Record<"linux" | "darwin" | "aix", { enabled: boolean }> };
  "prometheus-node-exporter": {
    namespaceOverride: string;
    resources: ResourceSettings;
    securityContext: PodSeccomp;
    containerSecurityContext: ContainerSecurityContext;
    priorityClassName: string;
    tolerations: Toleration[];
  };
  prometheus: {
    prometheusSpec: {
      replicas: number;
      retention: string;
      retentionSize: string;
      walCompression: boolean;
      scrapeInterval: string;
      evaluationInterval: string;
      externalLabels: Record<string, string>;
      resources: ResourceSettings;
      storageSpec: { volumeClaimTemplate: { spec: VolumeClaimSpec } };
      ruleSelectorNilUsesHelmValues: boolean;
      serviceMonitorSelectorNilUsesHelmValues: boolean;
      podMonitorSelectorNilUsesHelmValues: boolean;
      probeSelectorNilUsesHelmValues: boolean;
      scrapeConfigSelectorNilUsesHelmValues: boolean;
      ruleSelector: LabelSelector;
      serviceMonitorSelector: LabelSelector;
      podMonitorSelector: LabelSelector;
      probeSelector: LabelSelector;
      scrapeConfigSelector: LabelSelector;
      ruleNamespaceSelector: LabelSelector;
      serviceMonitorNamespaceSelector: LabelSelector;
      podMonitorNamespaceSelector: LabelSelector;
      probeNamespaceSelector: LabelSelector;
      podAntiAffinity: "" | "soft" | "hard";
      topologySpreadConstraints: TopologySpreadConstraint[];
      enableFeatures: string[];
      priorityClassName: string;
    };
    podDisruptionBudget: DisruptionBudget;
  };
  alertmanager: {
    alertmanagerSpec: {
      useExistingSecret: boolean;
      configSecret: string;
      alertmanagerConfigSelector: LabelSelector;
      alertmanagerConfigNamespaceSelector: LabelSelector;
      replicas: number;
      retention: string;
      resources: ResourceSettings;
      storage: { volumeClaimTemplate: { spec: VolumeClaimSpec } };
      podAntiAffinity: "" | "soft" | "hard";
      topologySpreadConstraints: TopologySpreadConstraint[];
      priorityClassName: string;
      automountServiceAccountToken: false;
    };
    serviceAccount: { automountServiceAccountToken: false };
    podDisruptionBudget: DisruptionBudget;
  };
  grafana: {
    replicas: number;
    testFramework: { enabled: boolean };
    defaultDashboardsEnabled: boolean;
    admin: { existingSecret: string; userKey: string; passwordKey: string };
    "grafana.ini": { "auth.anonymous": { enabled: boolean }; server: { root_url: string }; users: { allow_sign_up: boolean } };
    persistence: { enabled: boolean };
    deploymentStrategy: { type: "RollingUpdate"; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
    ingress: { enabled: boolean };
    rbac: { namespaced: boolean; useExistingRole: string };
    resources: ResourceSettings;
    livenessProbe: { httpGet: { path: string; port: string } };
    securityContext: PodSeccomp;
    containerSecurityContext: ContainerSecurityContext;
    sidecar: {
      resources: ResourceSettings;
      securityContext: ContainerSecurityContext;
      dashboards: { enabled: boolean; label: string; labelValue: string; resource: "configmap"; folderAnnotation: string; provider: { foldersFromFilesStructure: boolean } };
      datasources: {
        enabled: boolean;
        resource: "configmap";
        defaultDatasourceEnabled: boolean;
        uid: string;
        exemplarTraceIdDestinations: { datasourceUid: string; traceIdLabelName: string; urlDisplayLabel: string };
        alertmanager: { enabled: boolean };
      };
    };
    additionalDataSources: GrafanaDataSource[];
  };
}

/**
 * Added to a chart's pod securityContext that already requires a non-root user (Helm merges the chart's user,
 * group and fsGroup): the seccomp profile its containers set each, for any container without a context of its own.
 */
export interface PodSeccomp {
  seccompProfile: { type: "RuntimeDefault" };
}
const POD_SECCOMP: PodSeccomp = { seccompProfile: { type: "RuntimeDefault" } };

/** The hardened container context the platform's own pods run with. */
export interface ContainerSecurityContext {
  allowPrivilegeEscalation: false;
  privileged: false;
  readOnlyRootFilesystem: true;
  capabilities: { drop: ["ALL"] };
  seccompProfile: { type: "RuntimeDefault" };
}

export const HARDENED_CONTAINER: ContainerSecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * What Grafana's `storage` emptyDir (/var/lib/grafana, the SQLite database) may grow to. The chart gives that
 * volume a sizeLimit only in memory (persistence.inMemory), and `search` none at all, so these are budgets the
 * container's ephemeral-storage limit is made of, not limits of their own. Dashboards and datasources are
 * provisioned from ConfigMaps (about 0.6 MB of dashboard JSON), so the database holds them, the 20 versions
 * Grafana keeps of each, users, sessions and annotations: tens of MB, far below this.
 */
const GRAFANA_DATABASE_SIZE = "512Mi";

/** What Grafana's `search` emptyDir (the unified storage's bleve index of those dashboards and folders) may grow to: a few MB in use. */
const GRAFANA_SEARCH_INDEX_SIZE = "256Mi";

/**
 * busybox of the CRD upgrade hook: the chart's default is `latest`, which changes under a pinned chart. The
 * kubectl image is pinned by the chart to the cluster's Kubernetes version.
 */
export const CRD_UPGRADE_BUSYBOX_TAG = "1.37.0";

/** The chart's budget for the operator-made StatefulSet (it renders every key but `enabled` into the spec). */
interface DisruptionBudget {
  enabled: boolean;
  minAvailable: number;
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
}

interface VolumeClaimSpec {
  storageClassName: string;
  accessModes: string[];
  resources: { requests: { storage: string } };
}

/** Role the Grafana sidecars are bound to: ConfigMaps of Grafana's namespace, nothing else. */
export const GRAFANA_SIDECAR_ROLE = "grafana-sidecars";

/** The Role behind GRAFANA_SIDECAR_ROLE: dashboards and datasources are ConfigMaps, so no Secret is readable. */
export function grafanaSidecarRole(namespace: string) {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1" as const,
    kind: "Role" as const,
    metadata: { name: GRAFANA_SIDECAR_ROLE, namespace, labels: { "app.kubernetes.io/part-of": "platform" } },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
  };
}

/** Grafana's hostname under the stack's domain. */
export function grafanaHost(domain: string): string {
  return grafanaHostname(domain);
}

/**
 * The operator's pods, by the labels its Service (kube-prometheus-stack-operator:443) selects them with: the
 * API server calls the operator's admission webhooks (PrometheusRule, AlertmanagerConfig) there, on the pod's
 * port 10250.
 */
export const PROMETHEUS_OPERATOR_WEBHOOK_PODS = { app: "kube-prometheus-stack-operator", release: "kube-prometheus-stack" } as const;
export const PROMETHEUS_OPERATOR_WEBHOOK_PORT = 10250;

/** Pods of the Prometheus and Alertmanager the operator runs for the release (its labels, which the chart's anti-affinity also selects). */
export const PROMETHEUS_REPLICA_PODS = { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus" } as const;
export const ALERTMANAGER_REPLICA_PODS = { "app.kubernetes.io/name": "alertmanager", "alertmanager": "kube-prometheus-stack-alertmanager" } as const;

/** Secret (created next to the release) that holds Grafana's admin credentials. */
export const GRAFANA_ADMIN_SECRET = { name: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" } as const;

const claim = (storageClassName: string, size: string): VolumeClaimSpec => ({
  storageClassName,
  accessModes: ["ReadWriteOnce"],
  resources: { requests: { storage: size } },
});

export function kubePrometheusStackValues(input: MonitoringInput): KubePrometheusStackValues {
  const { prometheus, alertmanager, grafana } = input.monitoring;
  const select = { matchLabels: { ...PROMETHEUS_SELECTOR_LABELS } };
  const everyNamespace = {};
  const urls = monitoringUrls(input.namespace);
  // Replicas on one node all go with it, so production requires a node each ("hard", by hostname): a replica
  // without a node of its own stays Pending, and KubeStatefulSetReplicasMismatch says so, rather than
  // sharing one unnoticed. Elsewhere more than one replica is spread where the nodes allow ("soft").
  const antiAffinity = (replicas: number) => (replicas < 2 ? ("" as const) : input.environment === "production" ? ("hard" as const) : ("soft" as const));
  // A drain or node upgrade evicts one replica at a time. minAvailable rather than maxUnavailable: the chart
  // writes its default minAvailable: 1 next to whatever else is set, and the API refuses both.
  const budget = (replicas: number): DisruptionBudget => ({ enabled: replicas > 1, minAvailable: Math.max(replicas - 1, 1) });
  const unscrapable = new Set(unscrapableComponents(input.clusterFlavour).map((c) => c.component));
  // Each switch removes both the component's ServiceMonitor and its rules (e.g. KubeSchedulerDown).
  const scraped = (component: ScrapedComponent) => ({ enabled: !unscrapable.has(component) });
  return {
    crds: {
      enabled: true,
      upgradeJob: { enabled: true, image: { busybox: { tag: CRD_UPGRADE_BUSYBOX_TAG } }, resources: CHART_CONTAINER_RESOURCES.crdUpgradeJob },
    },
    commonLabels: { "platform.io/environment": input.environment },
    // One alert per symptom: chart alerts another alert already reports, or that select nothing on this
    // platform, are disabled one by one (components/alerting/symptoms.ts says which and why).
    defaultRules: {
      create: true,
      rules: Object.fromEntries(Object.keys(CHART_RULE_GROUPS_NEVER_SATISFIED).map((group) => [group, false as const])),
      additionalRuleLabels: { team: "infrastructure" },
      disabled: chartDefaultRulesDisabled(),
    },
    kubeControllerManager: scraped("kubeControllerManager"),
    kubeScheduler: scraped("kubeScheduler"),
    kubeEtcd: scraped("kubeEtcd"),
    kubeProxy: scraped("kubeProxy"),
    prometheusOperator: {
      resources: CHART_CONTAINER_RESOURCES.prometheusOperator,
      prometheusConfigReloader: { resources: CHART_CONTAINER_RESOURCES.configReloader },
      // The certgen Jobs (create, patch) as nobody like the rest of the chart, not its 2000: kube-webhook-certgen
      // is a static binary that writes only through the API.
      admissionWebhooks: { patch: { resources: CHART_CONTAINER_RESOURCES.admissionWebhookJob, securityContext: chartPodSecurityContext } },
    },
    // No rule or dashboard reads kube_secret_*: without that collector kube-state-metrics needs no access to Secrets.
    // selfMonitor: kube-state-metrics' own metrics (list and watch errors, shards) are on its telemetry port,
    // which only this adds to its ServiceMonitor; the chart's KubeStateMetrics* alerts read them.
    "kube-state-metrics": { resources: CHART_CONTAINER_RESOURCES.kubeStateMetrics, collectorsExclude: ["secrets"], selfMonitor: { enabled: true } },
    // node-exporter keeps the host namespaces and mounts it needs (policy/README.md, exemptions), nothing more,
    // in the node agents' namespace: the only one whose PSA level admits host access. Its ServiceMonitor moves
    // with it and keeps the release label and jobLabel, so Prometheus still selects it as job="node-exporter".
    // The nodes run Linux: the chart's macOS and AIX node dashboards would only ever be empty.
    nodeExporter: { operatingSystems: { linux: { enabled: true }, darwin: { enabled: false }, aix: { enabled: false } } },
    "prometheus-node-exporter": {
      namespaceOverride: input.nodeAgentsNamespace,
      resources: CHART_CONTAINER_RESOURCES.nodeExporter,
      securityContext: POD_SECCOMP,
      containerSecurityContext: HARDENED_CONTAINER,
      // On every node, tainted ones included (the chart tolerates NoSchedule taints only), ahead of the apps.
      ...nodeAgentScheduling(),
    },
    prometheus: {
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: input.metricsRetention,
        retentionSize: prometheus.retentionSize,
        walCompression: true,
        scrapeInterval: prometheus.scrapeInterval,
        evaluationInterval: prometheus.scrapeInterval,
        externalLabels: { cluster: input.clusterName, environment: input.environment },
        resources: withEphemeralStorage(prometheus.resources),
        storageSpec: { volumeClaimTemplate: { spec: claim(input.storageClass, prometheus.storageSize) } },
        // Selection is spelled out instead of left to the chart's NilUsesHelmValues defaults.
        ruleSelectorNilUsesHelmValues: false,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        ruleSelector: select,
        serviceMonitorSelector: select,
        podMonitorSelector: select,
        probeSelector: select,
        scrapeConfigSelector: select,
        ruleNamespaceSelector: everyNamespace,
        serviceMonitorNamespaceSelector: everyNamespace,
        podMonitorNamespaceSelector: everyNamespace,
        probeNamespaceSelector: everyNamespace,
        podAntiAffinity: antiAffinity(prometheus.replicas),
        // Each replica's EBS volume ties it to one zone: spread at first placement, so one zone's outage leaves one.
        topologySpreadConstraints: spreadOverZones(PROMETHEUS_REPLICA_PODS, "StatefulSet"),
        // Keeps the exemplars apps attach to histogram samples, so a latency spike links to a trace.
        enableFeatures: ["exemplar-storage"],
        // Rescheduled ahead of the apps when the cluster is full (monitoring-priority.ts).
        priorityClassName: MONITORING_PRIORITY_CLASS,
      },
      podDisruptionBudget: budget(prometheus.replicas),
    },
    alertmanager: {
      alertmanagerSpec: {
        // The platform renders alertmanager.yaml itself (secrets included) into this Secret.
        ...alertmanagerConfigSecretValues(input.alertmanagerConfigSecret).alertmanager.alertmanagerSpec,
        // The chart's `{}` would merge the routes of any AlertmanagerConfig, from any namespace, into the
        // platform's: anyone who may create one in an app namespace could reroute or swallow alerts. The
        // platform creates none; one would have to live in this namespace and carry the release label.
        alertmanagerConfigSelector: select,
        alertmanagerConfigNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": input.namespace } },
        replicas: alertmanager.replicas,
        retention: "120h",
        resources: withEphemeralStorage(alertmanager.resources),
        storage: { volumeClaimTemplate: { spec: claim(input.storageClass, alertmanager.storageSize) } },
        podAntiAffinity: antiAffinity(alertmanager.replicas),
        topologySpreadConstraints: spreadOverZones(ALERTMANAGER_REPLICA_PODS, "StatefulSet"),
        priorityClassName: MONITORING_PRIORITY_CLASS,
        // Alertmanager and its config reloader never call the Kubernetes API (the operator writes the
        // configuration, peers find each other by DNS): no token in its pods (the operator mounts one by default).
        automountServiceAccountToken: false,
      },
      serviceAccount: { automountServiceAccountToken: false },
      podDisruptionBudget: budget(alertmanager.replicas),
    },
    grafana: {
      replicas: grafana.replicas,
      // The chart's `helm test` Pod (no resources, no securityContext): an install never runs it, and a plain
      // `helm template` of the values would include it.
      testFramework: { enabled: false },
      defaultDashboardsEnabled: true,
      admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
      "grafana.ini": {
        "auth.anonymous": { enabled: false },
        server: { root_url: `https://${grafanaHost(input.domain)}` },
        users: { allow_sign_up: false },
      },
      // No volume: dashboards and datasources are code, and the admin comes from a Secret. A ReadWriteOnce
      // volume made every rollout onto another node hang on Multi-Attach (and an EBS volume pins the pod to
      // one zone); the per-pod SQLite only keeps sessions and preferences, which a restart resets.
      persistence: { enabled: false },
      deploymentStrategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      // The platform deploys no ingress controller; a maintained gateway comes with its own issue.
      ingress: { enabled: false },
      // The sidecars read ConfigMaps in Grafana's own namespace only: the platform's Role (the chart's own
      // Role would also grant every Secret of the namespace), not a ClusterRole over every Secret.
      rbac: { namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE },
      // Without persistence its emptyDirs hold the SQLite database and the search index: past the pod's limit the
      // kubelet evicts the pod, and the database (sessions, annotations) goes with it.
      resources: withEphemeralStorage(grafana.resources, withVolumes(GRAFANA_DATABASE_SIZE, GRAFANA_SEARCH_INDEX_SIZE)),
      // Readiness stays on /api/health, which also asks the database; liveness asks only whether the web
      // server answers (/healthz), so a slow or locked SQLite takes Grafana out of rotation without restarting it.
      livenessProbe: { httpGet: { path: "/healthz", port: "grafana" } },
      securityContext: POD_SECCOMP,
      containerSecurityContext: HARDENED_CONTAINER,
      sidecar: {
        resources: CHART_CONTAINER_RESOURCES.grafanaSidecar,
        securityContext: HARDENED_CONTAINER,
        dashboards: {
          enabled: true,
          label: "grafana_dashboard",
          labelValue: "1",
          resource: "configmap",
          folderAnnotation: "grafana_folder",
          provider: { foldersFromFilesStructure: true },
        },
        datasources: {
          enabled: true,
          resource: "configmap",
          defaultDatasourceEnabled: true,
          uid: DATASOURCE_UIDS.prometheus,
          exemplarTraceIdDestinations: { ...EXEMPLAR_TRACE_ID_DESTINATION },
          alertmanager: { enabled: true },
        },
      },
      additionalDataSources: [
        { name: "Loki", uid: DATASOURCE_UIDS.loki, type: "loki", access: "proxy", url: urls.loki, isDefault: false, jsonData: { maxLines: 5000, ...lokiTraceLinks() } },
        tempoDataSource(urls.tempo),
      ],
    },
  };
}
