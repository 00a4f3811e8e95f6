import type { MetricType } from "./catalog";

/**
 * Metrics the platform's exporters expose that alert rules may use, with the labels the rules rely on.
 * Anything else an exporter offers is fine for ad-hoc queries, but a rule that needs it adds it here
 * first, so a rename in an exporter upgrade shows up as one reviewed change (the rule tests fail on
 * any series name that is neither here, in the application catalog, nor a recording rule).
 */

export type ExporterSource = "prometheus" | "node-exporter" | "kube-state-metrics" | "cadvisor" | "blackbox-exporter" | "alloy" | "tempo" | "cert-manager" | "external-secrets" | "external-dns" | "envoy-gateway";

export interface ExporterMetric {
  readonly name: string;
  readonly source: ExporterSource;
  readonly type: MetricType;
  /** Labels the rules select, group or template on. */
  readonly labels: readonly string[];
}

/**
 * `job` label of each exporter's series as kube-prometheus-stack scrapes them. Rules select on it so a
 * second copy of a metric (e.g. a sidecar also exposing node_*) is never counted twice.
 */
export const EXPORTER_JOBS = {
  nodeExporter: "node-exporter",
  kubeStateMetrics: "kube-state-metrics",
  /** The API servers, through the `kubernetes` Service (the chart's ServiceMonitor: jobLabel component). */
  apiServer: "apiserver",
  /** cAdvisor is scraped through the kubelet, on its own metrics path. */
  kubelet: "kubelet",
  cadvisorMetricsPath: "/metrics/cadvisor",
  /** Alloy and Tempo are scraped through their charts' ServiceMonitors: job is the Service's name. */
  alloy: "alloy",
  tempo: "tempo",
  /** cert-manager's controller: its chart's ServiceMonitor names the job after app.kubernetes.io/name. */
  certManager: "cert-manager",
  /** External Secrets Operator's controller: its chart's ServiceMonitor sets no jobLabel, so job is the metrics Service's name. */
  externalSecrets: "external-secrets-metrics",
  /** external-dns: its chart's ServiceMonitor names the job after app.kubernetes.io/instance (the release). */
  externalDns: "external-dns",
  /** Envoy Gateway's controller: the platform's ServiceMonitor (components/gateway) sets no jobLabel, so job is its Service's name. */
  envoyGateway: "envoy-gateway",
} as const;

/**
 * Labels on the series of a blue-green application (its ServiceMonitor sets them, components/apps),
 * besides `namespace`, `pod` and `job`:
 * - `service`: the application's name, on `up` as on the app's own series, whichever Service (active
 *   or preview) the pod was scraped through.
 * - `role`: "active" | "preview", the role of that Service. Absent on apps without blue-green.
 *   Application rules read `role!="preview"`; the blue-green rules read `role="preview"`.
 * - `color`: "blue" | "green", from the pod.
 */
export const BLUE_GREEN_SERIES_LABELS = {
  role: { values: ["active", "preview"], source: "the role label of the Service the pod is scraped through" },
  color: { values: ["blue", "green"], source: "the pod's colour label" },
} as const;

const m = (source: ExporterSource, type: MetricType, name: string, labels: readonly string[]): ExporterMetric => ({ name, source, type, labels });

export const EXPORTER_METRICS: readonly ExporterMetric[] = [

  // Prometheus itself: `up` for every target, and its own rule-evaluation health.
  m("prometheus", "gauge", "up", ["job", "namespace", "service", "pod", "instance", "role", "color"]),
  m("prometheus", "gauge", "prometheus_rule_group_last_duration_seconds", ["rule_group", "instance"]),
  m("prometheus", "gauge", "prometheus_rule_group_interval_seconds", ["rule_group", "instance"]),
  m("prometheus", "counter", "prometheus_rule_evaluation_failures_total", ["rule_group", "instance"]),

  // node-exporter
  m("node-exporter", "counter", "node_cpu_seconds_total", ["job", "instance", "cpu", "mode"]),
  m("node-exporter", "gauge", "node_memory_MemAvailable_bytes", ["job", "instance"]),
  m("node-exporter", "gauge", "node_memory_MemTotal_bytes", ["job", "instance"]),
  m("node-exporter", "gauge", "node_filesystem_avail_bytes", ["job", "instance", "device", "mountpoint", "fstype"]),
  m("node-exporter", "gauge", "node_filesystem_size_bytes", ["job", "instance", "device", "mountpoint", "fstype"]),
  m("node-exporter", "gauge", "node_filesystem_readonly", ["job", "instance", "device", "mountpoint", "fstype"]),

  // kube-state-metrics
  m("kube-state-metrics", "gauge", "kube_pod_container_status_waiting_reason", ["job", "namespace", "pod", "container", "reason"]),
  m("kube-state-metrics", "counter", "kube_pod_container_status_restarts_total", ["job", "namespace", "pod", "container"]),
  m("kube-state-metrics", "gauge", "kube_pod_container_status_last_terminated_reason", ["job", "namespace", "pod", "container", "reason"]),
  m("kube-state-metrics", "gauge", "kube_pod_container_resource_limits", ["job", "namespace", "pod", "container", "resource"]),
  m("kube-state-metrics", "gauge", "kube_pod_status_ready", ["job", "namespace", "pod", "condition"]),
  m("kube-state-metrics", "gauge", "kube_deployment_spec_replicas", ["job", "namespace", "deployment"]),
  m("kube-state-metrics", "gauge", "kube_deployment_status_replicas_available", ["job", "namespace", "deployment"]),
  m("kube-state-metrics", "gauge", "kube_deployment_status_replicas_updated", ["job", "namespace", "deployment"]),
  // kube-state-metrics 2.20 (internal/store/horizontalpodautoscaler.go), per HPA: each status condition as three
  // series, status "true", "false" and "unknown", 1 for the current one (condition is the type as the API spells
  // it: AbleToScale, ScalingActive, ScalingLimited; no reason label), the spec's range (min 1 when unset), the
  // replicas it last saw, and its scaleTargetRef.
  m("kube-state-metrics", "gauge", "kube_horizontalpodautoscaler_status_condition", ["job", "namespace", "horizontalpodautoscaler", "condition", "status"]),
  m("kube-state-metrics", "gauge", "kube_horizontalpodautoscaler_spec_min_replicas", ["job", "namespace", "horizontalpodautoscaler"]),
  m("kube-state-metrics", "gauge", "kube_horizontalpodautoscaler_spec_max_replicas", ["job", "namespace", "horizontalpodautoscaler"]),
  m("kube-state-metrics", "gauge", "kube_horizontalpodautoscaler_status_current_replicas", ["job", "namespace", "horizontalpodautoscaler"]),
  m("kube-state-metrics", "gauge", "kube_horizontalpodautoscaler_info", ["job", "namespace", "horizontalpodautoscaler", "scaletargetref_kind", "scaletargetref_name"]),
  m("kube-state-metrics", "gauge", "kube_cronjob_status_last_successful_time", ["job", "namespace", "cronjob"]),
  // Present from the CronJob's creation, when last_successful_time is not yet: a backup that never succeeded.
  m("kube-state-metrics", "gauge", "kube_cronjob_created", ["job", "namespace", "cronjob"]),
  // The scheduled time of the newest run the controller started, the schedule's next time after it (none while
  // suspended), and spec.suspend: a run that did not start (BackupNotStarted, RestoreDrillNotStarted).
  m("kube-state-metrics", "gauge", "kube_cronjob_status_last_schedule_time", ["job", "namespace", "cronjob"]),
  m("kube-state-metrics", "gauge", "kube_cronjob_next_schedule_time", ["job", "namespace", "cronjob"]),
  m("kube-state-metrics", "gauge", "kube_cronjob_spec_suspend", ["job", "namespace", "cronjob"]),
  // spec.schedule and spec.timeZone as labels: when they last differed from now is when the schedule changed, and
  // a next schedule time from before that is no missed run.
  m("kube-state-metrics", "gauge", "kube_cronjob_info", ["job", "namespace", "cronjob", "schedule", "timezone"]),
  m("kube-state-metrics", "gauge", "kube_job_status_failed", ["job", "namespace", "job_name", "reason"]),
  // The Job's Failed condition (condition="true" once backoffLimit or activeDeadlineSeconds is exhausted).
  m("kube-state-metrics", "gauge", "kube_job_failed", ["job", "namespace", "job_name", "condition"]),
  m("kube-state-metrics", "gauge", "kube_job_status_start_time", ["job", "namespace", "job_name"]),

  // cAdvisor (through the kubelet)
  m("cadvisor", "gauge", "container_memory_working_set_bytes", ["job", "metrics_path", "namespace", "pod", "container"]),
  m("cadvisor", "counter", "container_cpu_cfs_periods_total", ["job", "metrics_path", "namespace", "pod", "container"]),
  m("cadvisor", "counter", "container_cpu_cfs_throttled_periods_total", ["job", "metrics_path", "namespace", "pod", "container"]),

  // blackbox exporter, through Probe objects (probeManifest copies the target's labels, e.g. service).
  m("blackbox-exporter", "gauge", "probe_success", ["job", "instance", "service"]),
  m("blackbox-exporter", "gauge", "probe_ssl_earliest_cert_expiry", ["job", "instance", "service"]),
  m("blackbox-exporter", "gauge", "probe_http_status_code", ["job", "instance", "service"]),
  m("blackbox-exporter", "gauge", "probe_duration_seconds", ["job", "instance", "service"]),

  // Alloy's OpenTelemetry components (Alloy v1.18 reference, "Debug metrics" of otelcol.receiver.otlp
  // and otelcol.exporter.otlp; enqueue_failed as Alloy's own OTel dashboards read it). The counters
  // appear on their first increment, so the rules treat a missing one as zero.
  m("alloy", "counter", "otelcol_receiver_accepted_spans_total", ["job", "namespace", "component_id"]),
  m("alloy", "counter", "otelcol_receiver_refused_spans_total", ["job", "namespace", "component_id"]),
  m("alloy", "counter", "otelcol_exporter_send_failed_spans_total", ["job", "namespace", "component_id"]),
  m("alloy", "counter", "otelcol_exporter_enqueue_failed_spans_total", ["job", "namespace", "component_id"]),
  // Alloy's loki.write: entries it gave up on, by endpoint host, reason (ingester_error, rate_limited,
  // stream_limited, line_too_long) and tenant.
  m("alloy", "counter", "loki_write_dropped_entries_total", ["job", "namespace", "host", "reason", "tenant"]),
  // Tempo 2.10: its OTLP receiver's counters (named without _total), the distributor's discards (by
  // reason: rate_limited, trace_too_large, live_traces_exceeded, ...) and the ingester's failed flushes
  // of blocks to the backend.
  m("tempo", "counter", "tempo_receiver_accepted_spans", ["job", "namespace", "receiver", "transport"]),
  m("tempo", "counter", "tempo_receiver_refused_spans", ["job", "namespace", "receiver", "transport"]),
  m("tempo", "counter", "tempo_discarded_spans_total", ["job", "namespace", "reason", "tenant"]),
  m("tempo", "counter", "tempo_ingester_failed_flushes_total", ["job", "namespace"]),

  // The platform's controllers, scraped through their charts' ServiceMonitors without honorLabels: the object's
  // own `namespace` label becomes `exported_namespace` (`namespace` is the controller's).
  // cert-manager 1.21: per Certificate, a series per Ready status (True, False, Unknown; 1 for the current one)
  // and status.notAfter (0 before the first issuance).
  m("cert-manager", "gauge", "certmanager_certificate_ready_status", ["job", "namespace", "exported_namespace", "name", "condition"]),
  m("cert-manager", "gauge", "certmanager_certificate_expiration_timestamp_seconds", ["job", "namespace", "exported_namespace", "name"]),
  // Per ClusterIssuer (cluster-scoped: `namespace` is the controller's), a series per Ready status, as above.
  m("cert-manager", "gauge", "certmanager_clusterissuer_ready_status", ["job", "name", "condition"]),
  // External Secrets Operator 2.9: per ExternalSecret, its Ready condition (condition="Ready", status True or
  // False; the other status is set to 0).
  m("external-secrets", "gauge", "externalsecret_status_condition", ["job", "namespace", "exported_namespace", "name", "condition", "status"]),
  // Per ClusterSecretStore, its Ready condition the same way (cluster-scoped: the store's empty namespace is no
  // label, so `namespace` is the controller's).
  m("external-secrets", "gauge", "clustersecretstore_status_condition", ["job", "name", "condition", "status"]),
  // external-dns 0.21: when the controller last completed a sync with the DNS provider (0 until its first).
  m("external-dns", "gauge", "external_dns_controller_last_sync_timestamp_seconds", ["job", "namespace"]),
  // Envoy Gateway 1.9's OpenTelemetry counters, through the platform's ServiceMonitor: each series appears at its
  // first increment. xDS updates a proxy rejected (per proxy, nodeID, and resource type); updates a runner failed
  // to handle (status failure, reason error); status writes (per kind; failures by reason conflict or error).
  m("envoy-gateway", "counter", "xds_nack_total", ["job", "namespace"]),
  m("envoy-gateway", "counter", "watchable_subscribe_total", ["job", "namespace", "runner", "status"]),
  m("envoy-gateway", "counter", "status_update_total", ["job", "namespace", "status", "reason"]),
];
