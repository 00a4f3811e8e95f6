import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { backupJobNames } from "./backups";
import { previewDeploymentsReported } from "./blue-green";
import { alertRule, appNamespaces, namespaceOwners, percent, selector } from "./promql";
import type { PlatformAlert, RuleGroupBuilder } from "./types";

const RUNBOOK = "workloads";
const KSM = `job="${EXPORTER_JOBS.kubeStateMetrics}"`;
const CADVISOR = [`job="${EXPORTER_JOBS.kubelet}"`, `metrics_path="${EXPORTER_JOBS.cadvisorMetricsPath}"`, `container!=""`];
const CONTAINER_IDENTITY = ["namespace", "pod", "container"];
const CONTAINER = CONTAINER_IDENTITY.join(", ");
const HPA = ["namespace", "horizontalpodautoscaler"];
/**
 * How far back a CrashLoopBackOff still counts. The kubelet waits up to 5 minutes before each restart and resets
 * that backoff only after a run of 10 minutes, so a container that dies 6 minutes after each start crash-loops
 * forever while out of CrashLoopBackOff for 6 minutes of every 11. kubernetes-mixin's 5 minutes lose it in every
 * such run, and the alert never held for its `for`; 10 minutes bridge every run the kubelet still backs off from.
 */
const CRASH_LOOP_LOOKBACK = "10m";
/**
 * How long an HPA may report that it cannot scale. The controller retries every 15 s; a new pod has no CPU
 * sample for its first minute or so, and a restarted metrics-server serves none until its second scrape, so a
 * quarter of an hour is no blip. Fixed, like kubernetes-mixin's KubeHpa* alerts: no stack has asked for another.
 */
const HPA_CANNOT_SCALE_FOR = "15m";

/**
 * Pods, Deployments and Jobs, from kube-state-metrics and cAdvisor. Crash loops, missing replicas, CPU
 * throttling and failed Jobs are owned here in every namespace (kube-prometheus-stack's KubePodCrashLooping,
 * KubeDeploymentReplicasMismatch, CPUThrottlingHigh and KubeJobFailed are disabled, components/alerting/symptoms.ts):
 * one rule per owner, the application namespaces' to team application, the others' to infrastructure. Memory
 * against limits is the application team's concern in its namespaces only.
 */
export const workloadRules: RuleGroupBuilder = (t, context) => {
  const w = t.workloads;
  const owners = namespaceOwners(context);
  const ksm = (namespaces: string, metric: string, ...matchers: string[]) => selector(metric, KSM, namespaces, ...matchers);
  const cadvisor = (namespaces: string, metric: string) => selector(metric, ...CADVISOR, namespaces);
  const apps = appNamespaces(context);
  // Jobs of the backup and restore-drill CronJobs: BackupJobFailed and RestoreDrillJobFailed report them per database.
  const backupJobs = backupJobNames(context);
  const notBackupJobs = backupJobs
    ? `\nunless on (namespace, job_name)\n${selector("kube_job_failed", KSM, `namespace="${context.backupNamespace}"`, `job_name=~"${backupJobs}"`)}`
    : "";
  const perOwner = (build: (owner: (typeof owners)[number]) => PlatformAlert) => owners.map(build);
  return {
    name: "platform-workloads",
    rules: [
      ...perOwner((o) =>
        alertRule(RUNBOOK, {
          alert: "PodCrashLooping",
          expr: `max by (${CONTAINER}) (max_over_time(${ksm(o.namespaces, "kube_pod_container_status_waiting_reason", `reason="CrashLoopBackOff"`)}[${CRASH_LOOP_LOOKBACK}])) >= 1`,
          for: w.crashLoopFor,
          severity: "warning",
          team: o.team,
          component: "workload",
          identity: CONTAINER_IDENTITY,
          summary: "A container keeps crashing.",
          description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} has kept going back into CrashLoopBackOff for ${w.crashLoopFor}: it dies within minutes of every restart.`,
        }),
      ),
      ...perOwner((o) =>
        alertRule(RUNBOOK, {
          alert: "DeploymentReplicasMismatch",
          // A Deployment in the middle of a rollout updates replicas; only a stalled one alerts. A blue-green
          // preview colour's unready pods are BlueGreenPreviewUnhealthy's.
          expr:
            `(\n  max by (namespace, deployment) (${ksm(o.namespaces, "kube_deployment_spec_replicas")})\n  - max by (namespace, deployment) (${ksm(o.namespaces, "kube_deployment_status_replicas_available")})\n) > 0\n` +
            `and\nmax by (namespace, deployment) (changes(${ksm(o.namespaces, "kube_deployment_status_replicas_updated")}[10m])) == 0\n` +
            `unless on (namespace, deployment)\n${previewDeploymentsReported}`,
          for: w.replicasMismatchFor,
          severity: "warning",
          team: o.team,
          component: "workload",
          identity: ["namespace", "deployment"],
          summary: "A Deployment runs fewer available replicas than it wants.",
          description: `Deployment {{ $labels.namespace }}/{{ $labels.deployment }} misses {{ $value | humanize }} available replica(s), with no rollout progress, for ${w.replicasMismatchFor}.`,
        }),
      ),
      ...perOwner((o) => {
        const hpa = (metric: string, ...matchers: string[]) => `max by (${HPA.join(", ")}) (${ksm(o.namespaces, metric, ...matchers)})`;
        const condition = (type: string) => `max by (${[...HPA, "condition"].join(", ")}) (${ksm(o.namespaces, "kube_horizontalpodautoscaler_status_condition", `condition="${type}"`, `status="false"`)}) == 1`;
        // The HPA's Deployment, as kube_deployment_* name it, with no replica available.
        const targetDown =
          `(\n    label_replace(\n      max by (${HPA.join(", ")}, scaletargetref_name) (${ksm(o.namespaces, "kube_horizontalpodautoscaler_info", `scaletargetref_kind="Deployment"`)}),\n      "deployment", "$1", "scaletargetref_name", "(.+)"\n    )\n` +
          `    and on (namespace, deployment)\n    max by (namespace, deployment) (${ksm(o.namespaces, "kube_deployment_status_replicas_available")}) == 0\n  )`;
        return alertRule(RUNBOOK, {
          alert: "HorizontalPodAutoscalerCannotScale",
          // AbleToScale False: the controller cannot read or update its target's scale (FailedGetScale: the target is
          // missing; FailedUpdateScale), and stops there, so ScalingActive keeps a stale value: AbleToScale wins.
          // ScalingActive False: no replica count could be computed, almost always FailedGetResourceMetric (no
          // resource metrics API: EKS serves metrics.k8s.io only with the metrics-server add-on). Not for an HPA
          // pinned to min == max (an idle blue-green colour): the controller corrects a count outside the range before
          // it reads metrics, so it holds its size without them. Not for a target scaled to zero by hand (reason
          // ScalingDisabled, current replicas 0). Not while its Deployment has no replica available: without a
          // running ready pod there is no metric, and DeploymentReplicasMismatch, ServiceDown or EndpointDown report that.
          expr:
            `${condition("AbleToScale")}\nor on (${HPA.join(", ")})\n(\n  ${condition("ScalingActive")}\n` +
            `  unless on (${HPA.join(", ")})\n  ${hpa("kube_horizontalpodautoscaler_spec_min_replicas")} == ${hpa("kube_horizontalpodautoscaler_spec_max_replicas")}\n` +
            `  unless on (${HPA.join(", ")})\n  ${hpa("kube_horizontalpodautoscaler_status_current_replicas")} == 0\n` +
            `  unless on (${HPA.join(", ")})\n  ${targetDown}\n)`,
          for: HPA_CANNOT_SCALE_FOR,
          severity: "warning",
          team: o.team,
          component: "workload",
          identity: [...HPA, "condition"],
          summary: "A HorizontalPodAutoscaler cannot scale its workload.",
          description:
            `HorizontalPodAutoscaler {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has reported {{ $labels.condition }} False for ${HPA_CANNOT_SCALE_FOR}: its workload stays at its size whatever the load. ` +
            `ScalingActive False: it gets no metrics (FailedGetResourceMetric: is metrics-server installed and serving metrics.k8s.io?); ` +
            `AbleToScale False: it cannot read or update its target's scale (FailedGetScale: is the target there?). kubectl describe hpa names the reason.`,
        });
      }),
      ...perOwner((o) =>
        alertRule(RUNBOOK, {
          alert: "JobFailed",
          // The Job's Failed condition: its pods used up backoffLimit or activeDeadlineSeconds. Failed Jobs stay
          // until their CronJob's history or their owner removes them, and so does the alert.
          expr: `max by (namespace, job_name) (${ksm(o.namespaces, "kube_job_failed", `condition="true"`)}) == 1${notBackupJobs}`,
          for: w.jobFailedFor,
          severity: "warning",
          team: o.team,
          component: "workload",
          identity: ["namespace", "job_name"],
          summary: "A Job failed.",
          description: `Job {{ $labels.namespace }}/{{ $labels.job_name }} failed: its pods exhausted their retries or deadline.`,
        }),
      ),
      alertRule(RUNBOOK, {
        alert: "ContainerOOMKilled",
        // The terminated reason stays until the next termination; a recent restart makes it news.
        expr:
          `max by (${CONTAINER}) (${ksm(apps, "kube_pod_container_status_last_terminated_reason", `reason="OOMKilled"`)}) == 1\n` +
          `and on (${CONTAINER})\nmax by (${CONTAINER}) (increase(${ksm(apps, "kube_pod_container_status_restarts_total")}[15m])) > 0`,
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
          `max by (${CONTAINER}) (${cadvisor(apps, "container_memory_working_set_bytes")})\n/\n` +
          `max by (${CONTAINER}) (${ksm(apps, "kube_pod_container_resource_limits", `resource="memory"`)})\n> ${w.memoryLimitRatio}`,
        for: w.memoryLimitFor,
        severity: "warning",
        team: "application",
        component: "workload",
        identity: CONTAINER_IDENTITY,
        summary: "A container is close to its memory limit.",
        description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit, above ${percent(w.memoryLimitRatio)} for ${w.memoryLimitFor}.`,
      }),
      ...perOwner((o) =>
        alertRule(RUNBOOK, {
          alert: "ContainerCPUThrottlingHigh",
          expr:
            `sum by (${CONTAINER}) (increase(${cadvisor(o.namespaces, "container_cpu_cfs_throttled_periods_total")}[5m]))\n/\n` +
            `sum by (${CONTAINER}) (increase(${cadvisor(o.namespaces, "container_cpu_cfs_periods_total")}[5m]))\n> ${w.cpuThrottlingRatio}`,
          for: w.cpuThrottlingFor,
          severity: "info",
          team: o.team,
          component: "workload",
          identity: CONTAINER_IDENTITY,
          summary: "A container is often throttled by its CPU limit.",
          description: `Container {{ $labels.container }} of pod {{ $labels.namespace }}/{{ $labels.pod }} was throttled in {{ $value | humanizePercentage }} of its CPU periods, above ${percent(w.cpuThrottlingRatio)} for ${w.cpuThrottlingFor}.`,
        }),
      ),
    ],
  };
};
