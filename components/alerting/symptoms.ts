/**
 * One alert per symptom (issue #11). Every alert a stack deploys, the platform's rules and kube-prometheus-stack's
 * defaultRules alike, is listed here under the one symptom it reports; a symptom has exactly one alert (its
 * warning and critical rules are levels of it, and where it is owned in every namespace, its application and
 * infrastructure rules split the namespaces between the two teams). Chart alerts that said the same thing as
 * another alert are disabled through `defaultRules.disabled`, each with the reason; so are chart alerts that
 * select series nothing on this platform produces.
 *
 * tests/alerting/symptoms.spec.ts holds the rendered PrometheusRules of both stacks to this table: an alert
 * that is not listed, a symptom with two alerts, a disabled alert that still renders (or that the chart does
 * not have) and a critical rule on a cause all fail it, and promtool shows each contested symptom raising
 * exactly its owner. The repository README's ownership table is generated from it (npm run docs:alerts).
 */

export type AlertSource = "platform" | "kube-prometheus-stack";

export interface Symptom {
  /** The one alert that reports the symptom. */
  readonly alert: string;
  /** What a responder sees, when another alert (now disabled) used to report it as well. */
  readonly symptom?: string;
  /** Chart alerts that reported the same symptom, disabled, each with the reason it is the same. */
  readonly replaces?: Readonly<Record<string, string>>;
  /** A cause rather than a symptom: it may open a ticket, it never pages (no critical rule). */
  readonly cause?: true;
}

export interface SymptomArea {
  readonly area: string;
  /** Where the area's alerts are defined. */
  readonly source: AlertSource;
  /** Why the symptoms of this area belong to this source. */
  readonly why: string;
  readonly symptoms: readonly Symptom[];
}

/** Alerts that are their own, uncontested symptom. */
const own = (...alerts: string[]): Symptom[] => alerts.map((alert) => ({ alert }));

export const SYMPTOM_AREAS: readonly SymptomArea[] = [
  {
    area: "Applications",
    source: "platform",
    why: "the platform's metrics contract (components/metrics) and the apps' SLOs; the chart knows nothing of them",
    symptoms: own(
      "HttpHighErrorRate",
      "HttpHighErrorRateLowTraffic",
      "HttpSlowResponses",
      "HttpHighRequestRate",
      "ErrorBudgetBurn",
      "AuthHighFailureRate",
      "AuthBruteForceSuspected",
      "AuthSlowLogins",
      "RateLimitExceededHigh",
      "DatabaseConnectionPoolExhausted",
      "DatabaseSlowQueries",
      "DatabaseHighErrorRate",
      "DatabaseHighErrorRateLowTraffic",
      "PipelineHighFailureRate",
      "PipelineLongRunning",
      "ConnectorHighFailureRate",
      "ConnectorSlowResponses",
      "TransformationHighFailureRate",
      "TransformationSlow",
      "FileUploadHighFailureRate",
      "FileProcessingSlow",
      "WebSocketHighErrorRate",
      "CacheLowHitRate",
      "BlueGreenPreviewUnhealthy",
      "BlueGreenPreviewErrorRatioHigh",
    ),
  },
  {
    area: "Availability",
    source: "platform",
    why: "the platform's ServiceMonitors and blackbox Probes say what a service and a public endpoint are",
    symptoms: own("ServiceDown", "ServiceAvailabilityLow", "EndpointDown", "EndpointAvailabilityLow", "TLSCertificateExpiringSoon"),
  },
  {
    area: "Workloads",
    source: "platform",
    why:
      "the platform has thresholds per stack and runbooks for them; it owns them in every namespace, with one rule " +
      "per team: the application namespaces' alerts go to team application, every other namespace's to infrastructure. " +
      "HorizontalPodAutoscalerCannotScale is a cause, a ticket after a fixed 15m: an HPA without metrics (no metrics-server) " +
      "or without its target keeps its workload at its size, which the chart's KubeHpaReplicasMismatch and KubeHpaMaxedOut " +
      "never see (desired equals current); what that does to users under load pages on its own. It inhibits nothing, and " +
      "nothing inhibits it: it carries no service label that ServiceDown could be scoped by, and a metrics-server that is " +
      "installed but down also raises the chart's KubeAggregatedAPIDown (v1beta1.metrics.k8s.io), the cause beside the HPAs it " +
      "leaves stuck, as ClusterSecretStoreNotReady beside ExternalSecretNotSynced. Its expression leaves out the HPA whose " +
      "Deployment has no replica available (no pod, no metric: DeploymentReplicasMismatch's) and the one pinned to " +
      "min == max (an idle blue-green colour), which holds its size without metrics",
    symptoms: [
      {
        alert: "PodCrashLooping",
        symptom: "A container keeps crashing (CrashLoopBackOff)",
        replaces: { KubePodCrashLooping: "the same kube_pod_container_status_waiting_reason series in every namespace, always to team infrastructure" },
      },
      {
        alert: "DeploymentReplicasMismatch",
        symptom: "A Deployment has fewer available replicas than it wants, and no rollout is making progress",
        replaces: {
          KubeDeploymentReplicasMismatch: "the same spec/available/updated comparison of the same Deployments",
          KubePodNotReady:
            "the same unready pods, once more per pod: a pod's readiness is its workload's replica count, which DeploymentReplicasMismatch, " +
            "BlueGreenPreviewUnhealthy (preview pods), KubeStatefulSetReplicasMismatch and KubeDaemonSetRolloutStuck report once per workload, " +
            "and a rollout stuck on new pods is KubeDeploymentRolloutStuck's",
        },
      },
      {
        alert: "HorizontalPodAutoscalerCannotScale",
        symptom: "A HorizontalPodAutoscaler cannot scale its workload (no metrics, or no target), so the workload stays at its size",
        cause: true,
      },
      {
        alert: "JobFailed",
        symptom: "A Job failed (backoff limit or deadline)",
        replaces: {
          KubeJobFailed:
            "the same Failed condition of every Job, including the backup and restore-drill Jobs that BackupJobFailed, BackupFailed, " +
            "RestoreDrillJobFailed and RestoreDrillFailed report per database to team database",
        },
      },
      ...own("ContainerOOMKilled", "ContainerMemoryNearLimit"),
      {
        alert: "ContainerCPUThrottlingHigh",
        symptom: "A container is throttled by its CPU limit (info, for dashboards)",
        replaces: { CPUThrottlingHigh: "the same cAdvisor CFS throttling ratio of the same containers" },
      },
    ],
  },
  {
    area: "Nodes",
    source: "platform",
    why: "thresholds per stack in platform:alertThresholds.nodes and runbooks; the chart's fixed-threshold twins are disabled",
    symptoms: [
      {
        alert: "NodeHighCPUUsage",
        symptom: "A node's CPU is busy",
        cause: true,
        replaces: { NodeCPUHighUsage: "the same node_cpu_seconds_total outside idle and iowait, at a fixed 90 %" },
      },
      {
        alert: "NodeHighMemoryUsage",
        symptom: "A node's memory is filling up",
        replaces: { NodeMemoryHighUtilization: "the same MemAvailable over MemTotal, at a fixed 90 %" },
      },
      {
        alert: "NodeHighDiskUsage",
        symptom: "A node's filesystem is filling up",
        replaces: {
          NodeFilesystemSpaceFillingUp: "the same node_filesystem_avail_bytes over size of the same filesystems, with a linear prediction",
          NodeFilesystemAlmostOutOfSpace: "the same node_filesystem_avail_bytes over size of the same filesystems, at fixed 5 % and 3 % left",
        },
      },
    ],
  },
  {
    area: "Prometheus and the alerting pipeline",
    source: "platform",
    why:
      "the dead man's switch and the platform's runbooks; Prometheus' other self-monitoring stays the chart's. " +
      "ScrapeTargetsMissing watches the exporter jobs the platform's alerts read (components/alerting/rules/prometheus.ts, " +
      "TARGETS_MISSING) and leaves out those whose absence has its alert: the API servers (KubeAPIDown), the kubelets and " +
      "cAdvisor (KubeletDown), and the Pushgateway (BackupMetricsAbsent, per database, once a backup succeeds without its metrics). " +
      "An app whose every target is gone is not ServiceDown's (up == 0 needs a target): a Deployment without pods is " +
      "DeploymentReplicasMismatch's and a public one's EndpointDown's, but an app's ServiceMonitor no longer selected has no alert yet",
    symptoms: [
      {
        alert: "Watchdog",
        symptom: "The alerting pipeline works (always firing, to the heartbeat service)",
        replaces: { Watchdog: "the same vector(1); one heartbeat is enough, and the platform's does not depend on the chart's rule groups" },
      },
      {
        alert: "PrometheusScrapeFailures",
        symptom: "Scrape targets are down",
        replaces: {
          TargetDown:
            "the same up == 0 ratio per job, to the same team; the platform's leaves out what has its own alert: an app whose every " +
            "instance is down (ServiceDown), a blue-green preview's pods (BlueGreenPreviewUnhealthy), the API servers (KubeAPIInstanceUnreachable) " +
            "and the kubelets (KubeletInstanceUnreachable)",
        },
      },
      {
        alert: "ScrapeTargetsMissing",
        symptom: "Every target of a job the platform's alerts read is gone (no up series at all), so those alerts are blind",
      },
      {
        alert: "PrometheusRuleEvaluationSlow",
        symptom: "Rule groups take longer than their interval, so evaluations are skipped",
        replaces: { PrometheusMissingRuleEvaluations: "the skipped evaluations that a group slower than its interval causes" },
      },
      {
        alert: "PrometheusRuleEvaluationFailures",
        symptom: "Rule evaluations fail, so alerts may be missed (one page, not two)",
        replaces: { PrometheusRuleFailures: "the same prometheus_rule_evaluation_failures_total, a second critical page" },
      },
    ],
  },
  {
    area: "Backups",
    source: "platform",
    why: "per database, from the pushed gauges and kube-state-metrics' view of the backup CronJobs; the chart has no notion of a database",
    // A run that did not start (BackupNotStarted, RestoreDrillNotStarted) is its own symptom, like a run that failed:
    // the CronJob stopped, which no Job failure reports, seen within the hour instead of at the maximum age. It
    // inhibits nothing: the newest backup outgrowing maxAge (BackupTooOld) is the promise broken and still pages,
    // whatever the reason, and the warning names the reason beside it.
    symptoms: own(
      "BackupTooOld",
      "BackupNotStarted",
      "BackupFailed",
      "BackupJobFailed",
      "BackupMetricsAbsent",
      "RestoreDrillNotStarted",
      "RestoreDrillFailed",
      "RestoreDrillJobFailed",
      "RestoreDrillTooOld",
      "RestoreSlowerThanObjective",
    ),
  },
  {
    area: "Tracing",
    source: "platform",
    why: "Alloy's and Tempo's span pipeline, which the chart does not deploy",
    symptoms: own("TraceSpansRefused", "TraceSpansDropped", "TraceStoreSpansRefused", "TraceStoreFlushesFailing"),
  },
  {
    area: "Logs",
    source: "platform",
    why: "Alloy's delivery of the cluster's logs to Loki, which the chart does not deploy",
    symptoms: own("LogEntriesDropped"),
  },
  {
    area: "Platform controllers",
    source: "platform",
    why:
      "External Secrets Operator, cert-manager, external-dns and Envoy Gateway report on the objects they reconcile; the chart watches none of them. " +
      "A Certificate whose certificate is within TLSCertificateExpiringSoon's window, or has expired, is that alert's (the served " +
      "certificate, probed), not CertificateNotReady's: cert-manager renews at the start of that window (renewBefore 720h), so a " +
      "failing renewal is reported once, by the endpoint's alert. ClusterSecretStoreNotReady and ClusterIssuerNotReady are " +
      "causes (after 10m) of ExternalSecretNotSynced and CertificateNotReady (after 30m) for every object that uses them, and " +
      "inhibit neither: no label of an ExternalSecret's series names its store, so an inhibit rule could only match on no " +
      "label and would silence every ExternalSecret's alert whatever its reason; CertificateNotReady does not carry its issuer. " +
      "Envoy Gateway's three alerts are three failures, each its own: a rejected xDS update, a failed translation (no update is " +
      "sent, so none is rejected) and a failed status write; none causes another, so none inhibits another. What users see of " +
      "them, a route not served, is EndpointDown's, which no label ties to the controller",
    // A Certificate's own series do name their issuer (issuer_kind, issuer_name): keeping them on CertificateNotReady
    // would let ClusterIssuerNotReady inhibit it, scoped; not done yet.
    symptoms: [
      { alert: "ExternalSecretNotSynced" },
      { alert: "ClusterSecretStoreNotReady", symptom: "The ClusterSecretStore cannot authenticate to Secrets Manager, so no ExternalSecret syncs", cause: true },
      { alert: "CertificateNotReady" },
      { alert: "ClusterIssuerNotReady", symptom: "A ClusterIssuer (its ACME account) is not Ready, so none of its Certificates is issued or renewed", cause: true },
      { alert: "ExternalDNSSyncStale" },
      ...own("EnvoyGatewayConfigRejected", "EnvoyGatewayTranslationFailing", "EnvoyGatewayStatusUpdatesFailing"),
    ],
  },
  {
    area: "Kubernetes API server",
    source: "kube-prometheus-stack",
    why: "the platform has no API server alerts; kubernetes-mixin's are the reference",
    symptoms: own(
      "KubeAPIDown",
      "KubeAPIInstanceUnreachable",
      "KubeAPIErrorBudgetBurn",
      "KubeAPITerminatedRequests",
      "KubeAggregatedAPIDown",
      "KubeAggregatedAPIErrors",
      "KubeClientCertificateExpiration",
      "KubeClientErrors",
      "KubeVersionMismatch",
    ),
  },
  {
    area: "Nodes and kubelets",
    source: "kube-prometheus-stack",
    why: "node conditions, kubelet health and certificates: the platform covers node resources only",
    symptoms: own(
      "KubeNodeNotReady",
      "KubeNodeUnreachable",
      "KubeNodeReadinessFlapping",
      "KubeNodePressure",
      "KubeNodeEviction",
      "KubeletDown",
      "KubeletInstanceUnreachable",
      "KubeletTooManyPods",
      "KubeletPlegDurationHigh",
      "KubeletPodStartUpLatencyHigh",
      "KubeletClientCertificateExpiration",
      "KubeletServerCertificateExpiration",
      "KubeletClientCertificateRenewalErrors",
      "KubeletServerCertificateRenewalErrors",
    ),
  },
  {
    area: "Node kernel, network and clock (node-exporter)",
    source: "kube-prometheus-stack",
    why: "node-mixin's view of what the platform's node alerts do not cover: inodes, file descriptors, conntrack, NICs, clock, load, paging, disk I/O",
    symptoms: [
      ...own(
        "NodeFilesystemFilesFillingUp",
        "NodeFilesystemAlmostOutOfFiles",
        "NodeFileDescriptorLimit",
        "NodeHighNumberConntrackEntriesUsed",
        "NodeNetworkReceiveErrs",
        "NodeNetworkTransmitErrs",
        "NodeNetworkInterfaceFlapping",
        "NodeClockSkewDetected",
        "NodeClockNotSynchronising",
        "NodeMemoryMajorPagesFaults",
        "NodeDiskIOSaturation",
        "NodeTextFileCollectorScrapeError",
      ),
      { alert: "NodeSystemSaturation", cause: true },
    ],
  },
  {
    area: "Workload controllers",
    source: "kube-prometheus-stack",
    why: "controller states the platform has no alert for: waiting containers, stuck rollouts, StatefulSets, DaemonSets, long Jobs, HPAs, PDBs",
    symptoms: own(
      "KubeContainerWaiting",
      "KubeDeploymentGenerationMismatch",
      "KubeDeploymentRolloutStuck",
      "KubeStatefulSetReplicasMismatch",
      "KubeStatefulSetGenerationMismatch",
      "KubeStatefulSetUpdateNotRolledOut",
      "KubeDaemonSetRolloutStuck",
      "KubeDaemonSetNotScheduled",
      "KubeDaemonSetMisScheduled",
      "KubeJobNotCompleted",
      "KubeHpaReplicasMismatch",
      "KubeHpaMaxedOut",
      "KubePdbNotEnoughHealthyPods",
    ),
  },
  {
    area: "Capacity and quotas",
    source: "kube-prometheus-stack",
    why: "cluster-wide overcommit and ResourceQuota usage, which the platform sizes (maxNodes) but does not alert on",
    symptoms: own("KubeCPUOvercommit", "KubeMemoryOvercommit", "KubeCPUQuotaOvercommit", "KubeMemoryQuotaOvercommit", "KubeQuotaAlmostFull", "KubeQuotaFullyUsed", "KubeQuotaExceeded"),
  },
  {
    area: "Persistent volumes",
    source: "kube-prometheus-stack",
    why: "PVC space and inodes from the kubelet: the platform's disk alert reads node filesystems, which exclude volume mounts",
    symptoms: own("KubePersistentVolumeFillingUp", "KubePersistentVolumeInodesFillingUp", "KubePersistentVolumeErrors"),
  },
  {
    area: "Monitoring stack",
    source: "kube-prometheus-stack",
    why: "Prometheus, Alertmanager, the operator, its config reloaders and kube-state-metrics watched by their own mixins, except what the platform owns above",
    symptoms: own(
      "AlertmanagerFailedReload",
      "AlertmanagerMembersInconsistent",
      "AlertmanagerFailedToSendAlerts",
      "AlertmanagerClusterFailedToSendAlerts",
      "AlertmanagerConfigInconsistent",
      "AlertmanagerClusterDown",
      "AlertmanagerClusterCrashlooping",
      "AlertmanagerClusterFailedPeers",
      "ConfigReloaderSidecarErrors",
      "InfoInhibitor",
      "KubeStateMetricsListErrors",
      "KubeStateMetricsWatchErrors",
      "KubeStateMetricsShardingMismatch",
      "KubeStateMetricsShardsMissing",
      "PrometheusBadConfig",
      "PrometheusKubernetesListWatchFailures",
      "PrometheusNotificationQueueRunningFull",
      "PrometheusErrorSendingAlertsToSomeAlertmanagers",
      "PrometheusErrorSendingAlertsToAnyAlertmanager",
      "PrometheusNotConnectedToAlertmanagers",
      "PrometheusTSDBReloadsFailing",
      "PrometheusTSDBCompactionsFailing",
      "PrometheusNotIngestingSamples",
      "PrometheusDuplicateTimestamps",
      "PrometheusOutOfOrderTimestamps",
      "PrometheusTargetLimitHit",
      "PrometheusLabelLimitHit",
      "PrometheusScrapeBodySizeLimitHit",
      "PrometheusScrapeSampleLimitHit",
      "PrometheusTargetSyncFailure",
      "PrometheusHighQueryLoad",
      "PrometheusOperatorListErrors",
      "PrometheusOperatorWatchErrors",
      "PrometheusOperatorSyncFailed",
      "PrometheusOperatorReconcileErrors",
      "PrometheusOperatorStatusUpdateErrors",
      "PrometheusOperatorNodeLookupErrors",
      "PrometheusOperatorNotReady",
      "PrometheusOperatorRejectedResources",
    ),
  },
];

/**
 * Chart alerts that select series nothing on this platform produces (tests/alerting/produced-series.spec.ts
 * evaluates every selector against what the deployed exporters expose): on an EKS node, or with this
 * Prometheus, they could never fire, so they are disabled rather than kept as dead rules.
 */
export const CHART_ALERTS_NEVER_SATISFIED: Readonly<Record<string, string>> = {
  NodeRAIDDegraded: "node_md_* exists only for Linux software RAID arrays (/proc/mdstat); EKS nodes mount EBS volumes, with no md array",
  NodeRAIDDiskFailure: "node_md_* exists only for Linux software RAID arrays (/proc/mdstat); EKS nodes mount EBS volumes, with no md array",
  NodeBondingDegraded: "node_bonding_* exists only for bonded interfaces; EKS nodes attach ENA interfaces without bonding",
  NodeSystemdServiceFailed:
    "node_systemd_* comes from node-exporter's systemd collector, which is off by default and which the chart's DaemonSet neither enables nor gives the D-Bus socket",
  NodeSystemdServiceCrashlooping:
    "node_systemd_* comes from node-exporter's systemd collector, which is off by default and which the chart's DaemonSet neither enables nor gives the D-Bus socket",
  PrometheusRemoteStorageFailures: "prometheus_remote_storage_* exists per remote_write queue; the platform's Prometheus has no remote_write",
  PrometheusRemoteWriteBehind: "prometheus_remote_storage_* exists per remote_write queue; the platform's Prometheus has no remote_write",
  PrometheusRemoteWriteDesiredShards: "prometheus_remote_storage_* exists per remote_write queue; the platform's Prometheus has no remote_write",
  PrometheusSDRefreshFailure:
    "prometheus_sd_refresh_failures_total exists per refresh-based discovery (DNS, EC2, HTTP, file…); the operator configures Kubernetes discovery, which watches instead",
};

/**
 * Chart recording-rule groups that read series nothing here produces, switched off (`defaultRules.rules.<group>`)
 * for the same reason.
 */
export const CHART_RULE_GROUPS_NEVER_SATISFIED: Readonly<Record<string, string>> = {
  k8sContainerMemorySwap:
    "records container_memory_swap, which the chart's own kubelet ServiceMonitor drops from cAdvisor (metricRelabelings); EKS nodes run without swap anyway",
};

/** Every alert the table names as the one for its symptom. */
export function symptomOwners(): { alert: string; area: SymptomArea; symptom: Symptom }[] {
  return SYMPTOM_AREAS.flatMap((area) => area.symptoms.map((symptom) => ({ alert: symptom.alert, area, symptom })));
}

/** Chart alerts disabled because another alert reports their symptom, with the reason. */
export function chartAlertsReplaced(): Readonly<Record<string, string>> {
  return Object.fromEntries(symptomOwners().flatMap(({ symptom }) => Object.entries(symptom.replaces ?? {}).map(([alert, why]) => [alert, `${symptom.alert} reports it: ${why}`])));
}

/**
 * kube-prometheus-stack's `defaultRules.disabled`: every chart alert that duplicates a symptom or selects
 * nothing here. The chart checks each name with `.Values.defaultRules.disabled.<Alert>`, so a misspelt name
 * disables nothing; the symptom test holds each name to the chart's templates.
 */
export function chartDefaultRulesDisabled(): Record<string, true> {
  const names = [...Object.keys(chartAlertsReplaced()), ...Object.keys(CHART_ALERTS_NEVER_SATISFIED)].sort();
  return Object.fromEntries(names.map((name) => [name, true as const]));
}
