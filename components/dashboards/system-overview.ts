import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { CPU_NOT_BUSY } from "../alerting/rules/nodes";
import { HTTP_RECORDS } from "../alerting/rules/recording";
import { EXPORTER_JOBS } from "../metrics/exporter-metrics";
import { platformDashboard } from "./dashboard";
import { statPanel, timeseriesPanel, warnCritical, warnFrom } from "./panels";
import { labelVariable } from "./variables";

const NODE = `job="${EXPORTER_JOBS.nodeExporter}"`;
const KSM = `job="${EXPORTER_JOBS.kubeStateMetrics}"`;
const CADVISOR = `job="${EXPORTER_JOBS.kubelet}", metrics_path="${EXPORTER_JOBS.cadvisorMetricsPath}"`;
// Pseudo and image filesystems are always full by design (same filter as the node alerts).
const REAL_FS = `fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"`;

/**
 * The first dashboard to open: are the nodes healthy, are the workloads running, are the services
 * answering. Node figures use the same expressions and thresholds as the node alerts; service figures
 * read the recorded HTTP aggregates the alerts read.
 */
export function systemOverviewDashboard(t: AlertThresholds): Dashboard {
  const n = t.nodes;
  const cpu = (labels: string) =>
    `1 - sum by (${labels}) (rate(node_cpu_seconds_total{${NODE}, ${CPU_NOT_BUSY}}[$__rate_interval])) / sum by (${labels}) (rate(node_cpu_seconds_total{${NODE}}[$__rate_interval]))`;
  const memory = `1 - max by (instance) (node_memory_MemAvailable_bytes{${NODE}}) / max by (instance) (node_memory_MemTotal_bytes{${NODE}})`;
  const disk = `max by (instance) (1 - node_filesystem_avail_bytes{${NODE}, ${REAL_FS}} / node_filesystem_size_bytes{${NODE}, ${REAL_FS}})`;
  const ns = `namespace=~"$namespace"`;
  const svc = `service=~"$service"`;
  return platformDashboard({
    name: "system-overview",
    title: "Platform / System overview",
    description: "Nodes (CPU, memory, disk), workloads (pods, restarts, resources) and every service's traffic, errors and latency.",
    variables: [
      labelVariable("namespace", "Namespace", `kube_pod_status_ready{${KSM}}`),
      labelVariable("service", "Service", HTTP_RECORDS.requestRate),
    ],
    rows: [
      {
        title: "Nodes",
        panels: [
          statPanel({ title: "CPU, busiest node", description: "Share of CPU time at work (neither idle nor waiting on I/O) on the busiest node.", unit: "percentunit", queries: [{ expr: `max(${cpu("instance")})` }], steps: warnFrom(n.cpuWarningRatio) }),
          statPanel({ title: "Memory, fullest node", description: "Share of memory in use on the fullest node.", unit: "percentunit", queries: [{ expr: `max(${memory})` }], steps: warnCritical(n.memoryWarningRatio, n.memoryCriticalRatio) }),
          statPanel({ title: "Disk, fullest filesystem", description: "Share of the fullest node filesystem in use.", unit: "percentunit", queries: [{ expr: `max(${disk})` }], steps: warnCritical(n.diskWarningRatio, n.diskCriticalRatio) }),
          statPanel({ title: "Nodes reporting", description: "Nodes whose node-exporter Prometheus scrapes.", unit: "short", queries: [{ expr: `count(node_memory_MemTotal_bytes{${NODE}})` }] }),
          timeseriesPanel({ title: "CPU by node", description: "Share of CPU time at work (neither idle nor waiting on I/O), per node.", unit: "percentunit", max: 1, width: 8, queries: [{ expr: cpu("instance"), legend: "{{instance}}" }] }),
          timeseriesPanel({ title: "Memory by node", description: "Share of memory in use, per node.", unit: "percentunit", max: 1, width: 8, queries: [{ expr: memory, legend: "{{instance}}" }] }),
          timeseriesPanel({ title: "Disk by node", description: "Share of the fullest filesystem in use, per node.", unit: "percentunit", max: 1, width: 8, queries: [{ expr: disk, legend: "{{instance}}" }] }),
        ],
      },
      {
        title: "Workloads",
        panels: [
          statPanel({
            title: "Pods not ready",
            description: "Pods whose readiness condition is false.",
            unit: "short",
            width: 8,
            queries: [{ expr: `sum(kube_pod_status_ready{${KSM}, ${ns}, condition="false"})` }],
            steps: [["green"], [1, "orange"]],
          }),
          statPanel({
            title: "Container restarts (1h)",
            description: "Container restarts in the last hour.",
            unit: "short",
            width: 8,
            queries: [{ expr: `sum(increase(kube_pod_container_status_restarts_total{${KSM}, ${ns}}[1h]))` }],
            steps: [["green"], [1, "orange"]],
          }),
          statPanel({
            title: "Deployments missing replicas",
            description: "Deployments with fewer available replicas than desired.",
            unit: "short",
            width: 8,
            queries: [
              {
                expr: `count(kube_deployment_spec_replicas{${KSM}, ${ns}} > kube_deployment_status_replicas_available{${KSM}, ${ns}}) or vector(0)`,
              },
            ],
            steps: [["green"], [1, "orange"]],
          }),
          timeseriesPanel({
            title: "Memory working set by namespace",
            description: "Memory the containers of each namespace use (what the OOM killer looks at).",
            unit: "bytes",
            queries: [{ expr: `sum by (namespace) (container_memory_working_set_bytes{${CADVISOR}, ${ns}, container!=""})`, legend: "{{namespace}}" }],
          }),
          timeseriesPanel({
            title: "Restarts by pod (1h)",
            description: "Pods whose containers restarted in the last hour.",
            unit: "short",
            queries: [{ expr: `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${KSM}, ${ns}}[1h])) > 0`, legend: "{{namespace}}/{{pod}}" }],
          }),
        ],
      },
      {
        title: "Services",
        panels: [
          timeseriesPanel({
            title: "Request rate",
            description: "Requests per second, per service (live traffic).",
            unit: "reqps",
            width: 8,
            queries: [{ expr: `sum by (service) (${HTTP_RECORDS.requestRate}{${svc}})`, legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Error ratio (5xx)",
            description: "Share of requests answered with a 5xx status, per service.",
            unit: "percentunit",
            width: 8,
            queries: [{ expr: `max by (service) (${HTTP_RECORDS.errorRatio}{${svc}})`, legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Latency p95",
            description: "95th percentile request duration, per service.",
            unit: "s",
            width: 8,
            queries: [{ expr: `max by (service) (${HTTP_RECORDS.latencyP95}{${svc}})`, legend: "{{service}}" }],
          }),
        ],
      },
    ],
  });
}
