import { longestScheduleGapSeconds } from "../../stacks/formats";
import type { RecoveryPoint } from "./backup-cronjobs";

/**
 * How far behind RDS's latest restorable time may lag: RDS ships transaction logs to S3 every five minutes,
 * so point-in-time recovery can lose up to that much (the AWS RDS user guide's figure).
 */
export const RDS_POINT_IN_TIME_RECOVERY_LAG = "5m";

/** A Prometheus-style duration for whole minutes, in the largest unit that divides it: 86400 → 24h, 604800 → 7d. */
export function durationText(seconds: number): string {
  if (seconds % 604800 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return `${Math.round(seconds / 60)}m`;
}

/** Without point-in-time recovery a restore loses what was written since the newest dump: up to the schedule's longest gap. */
export function scheduleRecoveryPoint(schedule: string): RecoveryPoint {
  return { objective: durationText(longestScheduleGapSeconds(schedule)), source: `backup schedule "${schedule}" (UTC)` };
}

/** The RDS cluster or instance whose point-in-time recovery covers a database. */
export type PointInTimeRecoveryTarget = { readonly rdsCluster: string } | { readonly rdsInstance: string };

/** What RDS point-in-time recovery gives, with the automated-backup retention RDS reported for it. */
export function pointInTimeRecoveryPoint(target: PointInTimeRecoveryTarget, retentionDays: number): RecoveryPoint {
  const what = "rdsCluster" in target ? `cluster ${target.rdsCluster}` : `instance ${target.rdsInstance}`;
  return { objective: RDS_POINT_IN_TIME_RECOVERY_LAG, source: `RDS point-in-time recovery (${what})`, pointInTimeRecoveryDays: retentionDays };
}
