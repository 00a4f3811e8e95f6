import type { MetricDefinition } from "./catalog";

/**
 * Gauges the backup and restore-drill jobs push to the Pushgateway (components/backups/scripts).
 * A success pushes the success timestamp (and duration, size); a failure pushes only the failure
 * timestamp, with push-add, so the last success survives a failed run and the rules can compare the two.
 * Grouping key: job="pg_backup" or job="pg_restore_drill", plus `database`.
 */
export const BACKUP_METRICS = {
  pg_backup_last_success_timestamp_seconds: { type: "gauge", help: "Unix time the last verified backup of the database was stored.", labelNames: ["database"] },
  pg_backup_last_failure_timestamp_seconds: { type: "gauge", help: "Unix time the last backup attempt of the database failed.", labelNames: ["database"] },
  pg_backup_duration_seconds: { type: "gauge", help: "Duration of the last successful backup in seconds.", labelNames: ["database"] },
  pg_backup_size_bytes: { type: "gauge", help: "Size of the last successful backup in bytes.", labelNames: ["database"] },
  pg_backup_retained_backups: { type: "gauge", help: "Complete backups of the database left after the last successful backup applied the retention.", labelNames: ["database"] },
  pg_restore_drill_last_success_timestamp_seconds: { type: "gauge", help: "Unix time the last restore drill of the database passed.", labelNames: ["database"] },
  pg_restore_drill_last_failure_timestamp_seconds: { type: "gauge", help: "Unix time the last restore drill of the database failed.", labelNames: ["database"] },
  pg_restore_drill_duration_seconds: { type: "gauge", help: "Duration of the last passing restore drill in seconds.", labelNames: ["database"] },
  pg_restore_drill_restore_duration_seconds: {
    type: "gauge",
    help: "Seconds the last passing restore drill took to download, check and restore the newest backup: the measured recovery time.",
    labelNames: ["database"],
  },
} as const satisfies Record<string, MetricDefinition>;

export type BackupMetricName = keyof typeof BACKUP_METRICS;
