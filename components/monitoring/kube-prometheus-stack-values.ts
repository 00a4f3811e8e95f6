import type { ResourceSettings } from "../../stacks/schema";
import { alertmanagerConfigSecretValues } from "../alerting/alertmanager/config-secret";
import { type MonitoringInput, monitoringUrls, PROMETHEUS_SELECTOR_LABELS } from "./monitoring-input";
import { DATASOURCE_UIDS, EXEMPLAR_TRACE_ID_DESTINATION, lokiTraceLinks, tempoDataSource } from "./trace-datasources";

/** The subset of kube-prometheus-stack 88.x values the platform sets; a misspelt key is a compile error. */
export interface KubePrometheusStackValues {
  crds: { enabled: boolean; upgradeJob: { enabled: boolean } };
  commonLabels: Record<string, string>;
  defaultRules: { create: boolean; additionalRuleLabels: Record<string, string> };
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
      enableFeatures: string[];
    };
  };
  alertmanager: {
    alertmanagerSpec: {
      useExistingSecret: boolean;
      configSecret: string;
      replicas: number;
      retention: string;
      resources: ResourceSettings;
      storage: { volumeClaimTemplate: { spec: VolumeClaimSpec } };
      podAntiAffinity: "" | "soft" | "hard";
    };
  };
  grafana: {
    replicas: number;
    defaultDashboardsEnabled: boolean;
    admin: { existingSecret: string; userKey: string; passwordKey: string };
    "grafana.ini": { "auth.anonymous": { enabled: boolean }; server: { root_url: string }; users: { allow_sign_up: boolean } };
    persistence: { enabled: boolean; type: "pvc"; storageClassName: string; size: string; accessModes: string[] };
    ingress: { enabled: boolean; ingressClassName: string; hosts: string[]; path: string; pathType: "Prefix" };
    resources: ResourceSettings;
    sidecar: {
      dashboards: { enabled: boolean; label: string; labelValue: string; searchNamespace: "ALL"; folderAnnotation: string; provider: { foldersFromFilesStructure: boolean } };
      datasources: {
        enabled: boolean;
        defaultDatasourceEnabled: boolean;
        uid: string;
        exemplarTraceIdDestinations: { datasourceUid: string; traceIdLabelName: string; urlDisplayLabel: string };
        alertmanager: { enabled: boolean };
      };
    };
    additionalDataSources: GrafanaDataSource[];
  };
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
}

interface VolumeClaimSpec {
  storageClassName: string;
  accessModes: string[];
  resources: { requests: { storage: string } };
}

export interface GrafanaDataSource {
  name: string;
  uid: string;
  type: string;
  access: "proxy";
  url: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
}

/** Grafana's hostname under the stack's domain. */
export function grafanaHost(domain: string): string {
  return `grafana.${domain}`;
}

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
  // With more than one replica, spread them over nodes: "hard" would leave a replica Pending on a
  // cluster with fewer nodes than replicas, so production asks for it softly.
  const antiAffinity = (replicas: number) => (replicas > 1 ? ("soft" as const) : ("" as const));
  return {
    crds: { enabled: true, upgradeJob: { enabled: true } },
    commonLabels: { "platform.io/environment": input.environment },
    defaultRules: { create: true, additionalRuleLabels: { team: "infrastructure" } },
    prometheus: {
      prometheusSpec: {
        replicas: prometheus.replicas,
        retention: input.metricsRetention,
        retentionSize: prometheus.retentionSize,
        walCompression: true,
        scrapeInterval: prometheus.scrapeInterval,
        evaluationInterval: prometheus.scrapeInterval,
        externalLabels: { cluster: input.clusterName, environment: input.environment },
        resources: prometheus.resources,
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
        // Keeps the exemplars apps attach to histogram samples, so a latency spike links to a trace.
        enableFeatures: ["exemplar-storage"],
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        // The platform renders alertmanager.yaml itself (secrets included) into this Secret.
        ...alertmanagerConfigSecretValues().alertmanager.alertmanagerSpec,
        replicas: alertmanager.replicas,
        retention: "120h",
        resources: alertmanager.resources,
        storage: { volumeClaimTemplate: { spec: claim(input.storageClass, alertmanager.storageSize) } },
        podAntiAffinity: antiAffinity(alertmanager.replicas),
      },
    },
    grafana: {
      replicas: grafana.replicas,
      defaultDashboardsEnabled: true,
      admin: { existingSecret: GRAFANA_ADMIN_SECRET.name, userKey: GRAFANA_ADMIN_SECRET.userKey, passwordKey: GRAFANA_ADMIN_SECRET.passwordKey },
      "grafana.ini": {
        "auth.anonymous": { enabled: false },
        server: { root_url: `https://${grafanaHost(input.domain)}` },
        users: { allow_sign_up: false },
      },
      persistence: { enabled: true, type: "pvc", storageClassName: input.storageClass, size: grafana.storageSize, accessModes: ["ReadWriteOnce"] },
      // Served under the stack's domain through the cluster's ingress controller, which terminates TLS.
      ingress: { enabled: true, ingressClassName: "nginx", hosts: [grafanaHost(input.domain)], path: "/", pathType: "Prefix" },
      resources: grafana.resources,
      sidecar: {
        dashboards: {
          enabled: true,
          label: "grafana_dashboard",
          labelValue: "1",
          searchNamespace: "ALL",
          folderAnnotation: "grafana_folder",
          provider: { foldersFromFilesStructure: true },
        },
        datasources: {
          enabled: true,
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
