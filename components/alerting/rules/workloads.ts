import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, appNamespaces, percent, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "workloads";
const KSM = `job="${EXPORTER_JOBS.kubeStateMetrics}"`;
const CADVISOR = [`job="${EXPORTER_JOBS.kubelet}"`, `metrics_path="${EXPORTER_JOBS.cadvisorMetricsPath}"`, `container!=""`];
const CONTAINER_IDENTITY = ["namespace", "pod", "container"];
const CONTAINER = CONTAINER_IDENTITY.join(", ");

/**
 * Pods and Deployments of the application namespaces, from kube-state-metrics and cAdvisor. These go
 * to the application team; kube-prometheus-stack's default rules cover the platform's own namespaces.
 */
export const workloadRules: RuleGroupBuilder = (t, context) => {
  const w = t.workloads;
  const ns = appNamespaces(context);
  const ksm = (metric: string, ...matchers: string[]) => selector(metric, KSM, ns, ...matchers);
  const cadvisor = (metric: string) => selector(metric, ...CADVISOR, ns);
  return {
    name: "platform-workloads",
    rules: [
      alertRule(RUNBOOK, {
        alert: "PodCrashLooping",
        expr: `max by (${CONTAINER}) (max_over_time(${ksm("kube_pod_container_status_waiting_reason", `reason="CrashLoopBackOff"`)}[5m])) >= 1`,
        for: w.crashLoopFor,
        severity: "warning",
        team: "application",
        component: "workload",
        identity: CONTAINER_IDENTITY,
        summary: "A container keeps crashing.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has been in CrashLoopBackOff for ${w.crashLoopFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "DeploymentReplicasMismatch",
        // A Deployment in the middle of a rollout updates replicas; only a stalled one alerts.
        expr:
          `(\n  max by (namespace, deployment) (${ksm("kube_deployment_spec_replicas")})\n  - max by (namespace, deployment) (${ksm("kube_deployment_status_replicas_available")})\n) > 0\n` +
          `and\nmax by (namespace, deployment) (changes(${ksm("kube_deployment_status_replicas_updated")}[10m])) == 0`,
        for: w.replicasMismatchFor,
        severity: "warning",
        team: "application",
        component: "workload",
        identity: ["namespace", "deployment"],
        summary: "A Deployment runs fewer available replicas than it wants.",
        description: `Deployment {{ $labels.namespace }}/{{ $labels.deployment }} misses {{ $value | humanize }} available replica(s), with no rollout progress, for ${w.replicasMismatchFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ContainerOOMKilled",
        // The terminated reason stays until the next termination; a recent restart makes it news.
        expr:
          `max by (${CONTAINER}) (${ksm("kube_pod_container_status_last_terminated_reason", `reason="OOMKilled"`)}) == 1\n` +
          `and on (${CONTAINER})\nmax by (${CONTAINER}) (increase(${ksm("kube_pod_container_status_restarts_total")}[15m])) > 0`,
        for: w.oomKilledFor,
        severity: "warning",
        team: "application",
        component: "workload",
        identity: CONTAINER_IDENTITY,
        summary: "A container was killed for running out of memory.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} restarted in the last 15 minutes after the kernel killed it for exceeding its memory limit.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ContainerMemoryNearLimit",
        expr:
          `max by (${CONTAINER}) (${cadvisor("container_memory_working_set_bytes")})\n/\n` +
          `max by (${CONTAINER}) (${ksm("kube_pod_container_resource_limits", `resource="memory"`)})\n> ${w.memoryLimitRatio}`,
        for: w.memoryLimitFor,
        severity: "warning",
        team: "application",
        component: "workload",
        identity: CONTAINER_IDENTITY,
        summary: "A container is close to its memory limit.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit, above ${percent(w.memoryLimitRatio)} for ${w.memoryLimitFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ContainerCPUThrottlingHigh",
        expr:
          `sum by (${CONTAINER}) (increase(${cadvisor("container_cpu_cfs_throttled_periods_total")}[5m]))\n/\n` +
          `sum by (${CONTAINER}) (increase(${cadvisor("container_cpu_cfs_periods_total")}[5m]))\n> ${w.cpuThrottlingRatio}`,
        for: w.cpuThrottlingFor,
        severity: "info",
        team: "application",
        component: "workload",
        identity: CONTAINER_IDENTITY,
        summary: "A container is often throttled by its CPU limit.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was throttled in {{ $value | humanizePercentage }} of its CPU periods, above ${percent(w.cpuThrottlingRatio)} for ${w.cpuThrottlingFor}.`,
      }),
    ],
  };
};
