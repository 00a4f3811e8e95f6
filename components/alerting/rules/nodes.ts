import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, percent, selector, sumRate } from "./promql";
import type { PlatformAlert, RuleGroupBuilder, Severity } from "./types";

const RUNBOOK = "nodes";
const NODE = `job="${EXPORTER_JOBS.nodeExporter}"`;
/**
 * CPU time that is not work: idle, and I/O wait, which is idle time during which a disk or network read was
 * outstanding (an EBS-bound node waiting on its volume shows it, and any task could run meanwhile). As in
 * kube-prometheus-stack's NodeCPUHighUsage, which NodeHighCPUUsage replaces; the dashboards read it too.
 */
export const CPU_NOT_BUSY = `mode=~"idle|iowait"`;
// Pseudo and image filesystems are always full by design.
const REAL_FS = `fstype!~"tmpfs|overlay|squashfs|nsfs|ramfs"`;

/**
 * Node CPU, memory and disk. Memory and disk are each one alert at two levels: a warning and a critical rule
 * under the same name, as in node-mixin. Above the critical level both fire, and Alertmanager's
 * critical-silences-warning inhibition keeps the critical notification: for the same node (and filesystem)
 * only. CPU has one level, a warning: a busy CPU is a cause, not a symptom. It shows up as latency, errors
 * and SLO burn, which page; on its own it opens a ticket for capacity.
 */
export const nodeRules: RuleGroupBuilder = (t) => {
  const n = t.nodes;
  // Time not at work over all CPU time, so the node's core count cancels out.
  const cpu = `1 - (\n  ${sumRate("node_cpu_seconds_total", ["instance"], "5m", NODE, CPU_NOT_BUSY)}\n  / ${sumRate("node_cpu_seconds_total", ["instance"], "5m", NODE)}\n)`;
  const memory = `1 - (\n  max by (instance) (${selector("node_memory_MemAvailable_bytes", NODE)})\n  / max by (instance) (${selector("node_memory_MemTotal_bytes", NODE)})\n)`;
  const disk =
    `max by (instance, mountpoint) (\n  1 - ${selector("node_filesystem_avail_bytes", NODE, REAL_FS)} / ${selector("node_filesystem_size_bytes", NODE, REAL_FS)}\n` +
    `  unless on (instance, device, mountpoint) ${selector("node_filesystem_readonly", NODE, REAL_FS)} == 1\n)`;

  const levels = (
    alert: string,
    identity: readonly string[],
    base: string,
    component: string,
    forDuration: string,
    what: { summary: (level: Severity) => string; description: (ratio: number) => string },
    ratios: Readonly<Partial<Record<"warning" | "critical", number>>>,
  ): PlatformAlert[] =>
    (["warning", "critical"] as const)
      .filter((severity) => ratios[severity] !== undefined)
      .map((severity) =>
        alertRule(RUNBOOK, {
          alert,
          expr: `${base}\n> ${ratios[severity]}`,
          for: forDuration,
          severity,
          team: "infrastructure",
          component,
          identity,
          summary: what.summary(severity),
          description: what.description(ratios[severity]!),
        }),
      );

  return {
    name: "platform-nodes",
    rules: [
      ...levels(
        "NodeHighCPUUsage",
        ["instance"],
        cpu,
        "cpu",
        n.cpuFor,
        {
          summary: () => "A node's CPU is busy.",
          description: (r) => `Node {{ $labels.instance }} spends {{ $value | humanizePercentage }} of its CPU time at work (neither idle nor waiting on I/O), above ${percent(r)} for ${n.cpuFor}.`,
        },
        { warning: n.cpuWarningRatio },
      ),
      ...levels(
        "NodeHighMemoryUsage",
        ["instance"],
        memory,
        "memory",
        n.memoryFor,
        {
          summary: (s) => (s === "critical" ? "A node is about to run out of memory." : "A node's memory is filling up."),
          description: (r) => `Node {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its memory, above ${percent(r)} for ${n.memoryFor}.`,
        },
        { warning: n.memoryWarningRatio, critical: n.memoryCriticalRatio },
      ),
      ...levels(
        "NodeHighDiskUsage",
        ["instance", "mountpoint"],
        disk,
        "disk",
        n.diskFor,
        {
          summary: (s) => (s === "critical" ? "A node's filesystem is nearly full." : "A node's filesystem is filling up."),
          description: (r) => `Filesystem {{ $labels.mountpoint }} on node {{ $labels.instance }} is {{ $value | humanizePercentage }} full, above ${percent(r)} for ${n.diskFor}.`,
        },
        { warning: n.diskWarningRatio, critical: n.diskCriticalRatio },
      ),
    ],
  };
};
