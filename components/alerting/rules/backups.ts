import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, seconds, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "backups";

/** `time()` minus the newest failure, for databases whose newest attempt failed (none succeeded since). */
function lastAttemptFailed(failure: string, success: string): string {
  const failed = `max by (database) (${failure})`;
  const succeeded = `max by (database) (${success})`;
  return `time() - (\n  ${failed} > ${succeeded}\n  or\n  ${failed} unless ${succeeded}\n)`;
}

/**
 * Database backups and restore drills, from two independent sources: the gauges the jobs push (which
 * say which database) and kube-state-metrics (which still speaks when a job dies before it can push).
 */
export const backupRules: RuleGroupBuilder = (t, context) => {
  const b = t.backups;
  const maxAge = seconds(b.maxAge);
  const cronJobs = selector("kube_cronjob_status_last_successful_time", `job="${EXPORTER_JOBS.kubeStateMetrics}"`, `namespace="${context.backupNamespace}"`, `cronjob=~"${context.backupCronJobPattern}"`);
  // A CronJob names its Jobs <cronjob>-<scheduled minute>.
  const jobName = `(${context.backupCronJobPattern})-[0-9]+`;
  const jobs = (metric: string) => selector(metric, `job="${EXPORTER_JOBS.kubeStateMetrics}"`, `namespace="${context.backupNamespace}"`, `job_name=~"${jobName}"`);
  return {
    name: "platform-backups",
    rules: [
      alertRule(RUNBOOK, {
        alert: "BackupTooOld",
        expr:
          `time() - max by (database) (pg_backup_last_success_timestamp_seconds) > ${maxAge}\n` +
          `or\ntime() - max by (namespace, cronjob) (${cronJobs}) > ${maxAge}`,
        for: b.tooOldFor,
        severity: "critical",
        team: "database",
        component: "backup",
        summary: "No database backup has succeeded recently.",
        description:
          `{{ if $labels.database }}The last successful backup of database {{ $labels.database }}{{ else }}The last successful run of CronJob {{ $labels.namespace }}/{{ $labels.cronjob }}{{ end }}` +
          ` finished {{ $value | humanizeDuration }} ago; backups must succeed at least every ${b.maxAge}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupFailed",
        expr: lastAttemptFailed("pg_backup_last_failure_timestamp_seconds", "pg_backup_last_success_timestamp_seconds"),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        summary: "The latest backup attempt of a database failed.",
        description: `The backup of database {{ $labels.database }} failed {{ $value | humanizeDuration }} ago and none has succeeded since.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupJobFailed",
        // Failed Jobs linger in the CronJob's history; only those that started after the last success count.
        expr:
          `max by (namespace, job_name) (${jobs("kube_job_status_failed")}) > 0\n` +
          `unless on (namespace, job_name)\n(\n` +
          `  label_replace(max by (namespace, job_name) (${jobs("kube_job_status_start_time")}), "cronjob", "$1", "job_name", "${jobName}")\n` +
          `  < on (namespace, cronjob) group_left ()\n  max by (namespace, cronjob) (${cronJobs})\n)`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        summary: "A backup Job failed.",
        description: `Job {{ $labels.namespace }}/{{ $labels.job_name }} failed and its CronJob has not succeeded since it started.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupMetricsAbsent",
        // Covers a backup that never ran, or ran without reaching the Pushgateway.
        expr: `absent(pg_backup_last_success_timestamp_seconds)`,
        for: b.maxAge,
        severity: "warning",
        team: "database",
        component: "backup",
        summary: "No backup has reported a success.",
        description: `Prometheus has had no pg_backup_last_success_timestamp_seconds series for ${b.maxAge}: no backup job has pushed a success to the Pushgateway in that time.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillFailed",
        expr: lastAttemptFailed("pg_restore_drill_last_failure_timestamp_seconds", "pg_restore_drill_last_success_timestamp_seconds"),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        summary: "The latest restore drill of a database failed.",
        description: `The restore drill of database {{ $labels.database }} failed {{ $value | humanizeDuration }} ago and none has passed since: the newest backup may not restore.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillTooOld",
        expr: `time() - max by (database) (pg_restore_drill_last_success_timestamp_seconds) > ${seconds(b.restoreDrillMaxAge)}`,
        for: b.tooOldFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        summary: "No restore drill has passed recently.",
        description: `The last passing restore drill of database {{ $labels.database }} finished {{ $value | humanizeDuration }} ago; drills must pass at least every ${b.restoreDrillMaxAge}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreSlowerThanObjective",
        // The drill pushes the gauge once a week and the Pushgateway keeps it, so `for` only rides out a rule reload.
        expr: `max by (database) (pg_restore_drill_restore_duration_seconds) > ${seconds(context.recoveryTimeObjective)}`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        summary: "Restoring a database from its newest backup takes longer than the recovery time objective.",
        description:
          `The last restore drill of database {{ $labels.database }} needed {{ $value | humanizeDuration }} to download, check and restore its newest backup;` +
          ` the recovery time objective is ${context.recoveryTimeObjective}.`,
      }),
    ],
  };
};
