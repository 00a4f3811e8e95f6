import { durationSeconds } from "./formats";

/**
 * When a backup run may start and must end. The backup CronJob and its Job are built from these
 * (components/backups/backup-cronjobs.ts), and the configuration check of BackupTooOld's maximum age
 * (stacks/cross-field-checks.ts) allows for them, so a late but healthy run never pages.
 */

/**
 * How late the CronJob controller may still start a run it missed (controller down, cluster upgrade):
 * the CronJob's startingDeadlineSeconds. A run it could not start by then is skipped.
 */
export const BACKUP_STARTING_DEADLINE_SECONDS = 3600;

/** A database's backup.runDeadline when its entry names none. */
export const DEFAULT_BACKUP_RUN_DEADLINE = "4h";

/**
 * Attempts of one backup run: the first and one retry (the Job's backoffLimit is one less). Both, and the
 * pause between them, fall within the run deadline: a Job's activeDeadlineSeconds counts from its start,
 * whatever the number of pods it tries.
 */
export const BACKUP_ATTEMPTS = 2;

/**
 * The most time a healthy backup can take to succeed again after a success: the longest gap of the schedule
 * (the success came just after a scheduled time), plus the starting deadline (the next run started as late
 * as the controller allows), plus the run deadline (its first attempt failed and the retry succeeded just
 * before the Job's deadline). Any later, and the run was missed or failed.
 */
export function longestHealthyBackupGapSeconds(scheduleGapSeconds: number, runDeadline: string): number {
  return scheduleGapSeconds + BACKUP_STARTING_DEADLINE_SECONDS + durationSeconds(runDeadline)!;
}

/**
 * The restore drill's run deadline (its Job's activeDeadlineSeconds): twice the recovery time objective, so
 * a restore slower than the objective still finishes and is measured (RestoreSlowerThanObjective) instead
 * of being cut off as a failed drill. A drill is not retried: a failed one is the finding.
 */
export function restoreDrillDeadlineSeconds(recoveryTimeObjective: string): number {
  return 2 * durationSeconds(recoveryTimeObjective)!;
}

/**
 * The most time a healthy restore drill can take to pass again after a pass, as for backups: the schedule's
 * longest gap, the starting deadline, and the drill's run deadline.
 */
export function longestHealthyDrillGapSeconds(scheduleGapSeconds: number, recoveryTimeObjective: string): number {
  return scheduleGapSeconds + BACKUP_STARTING_DEADLINE_SECONDS + restoreDrillDeadlineSeconds(recoveryTimeObjective);
}
