import { BACKUP_STARTING_DEADLINE_SECONDS } from "../../../stacks/backup-job-timing";
import { longestScheduleGapSeconds, shortestScheduleGapSeconds } from "../../../stacks/formats";
import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, anyOf, seconds, secondsText, selector } from "./promql";
import type { AlertRulesContext, RuleGroupBuilder } from "./types";

const RUNBOOK = "backups";
const DATABASE = ["database"];
/** A CronJob that is not starting runs, and why: `missed-run` or `suspended`. */
const DATABASE_AND_REASON = ["database", "reason"];
const KSM = `job="${EXPORTER_JOBS.kubeStateMetrics}"`;

/**
 * Where each backed-up database's state comes from. Every expression ends `by (database)`, over the databases
 * the stack backs up and no others, so each database raises each alert at most once:
 * - the gauges the jobs push (labelled `database`), which also carry failures, sizes and durations;
 * - kube-state-metrics' view of the database's CronJob (`<prefix><database>`), which still speaks when a job
 *   dies before it can push, and knows when the CronJob was created: a database that never had a
 *   successful backup has no success timestamp anywhere, but its CronJob's age says how long it has waited.
 */
function sources(context: AlertRulesContext, cronJobPrefix: string) {
  const databases = anyOf(context.backupDatabases);
  const cronJobName = `${anyOf([cronJobPrefix])}(${databases})`;
  const inNamespace = `namespace="${context.backupNamespace}"`;
  /** A CronJob series of kube-state-metrics, with the database it backs up as `database`. */
  const cronJob = (metric: string) =>
    `label_replace(${selector(metric, KSM, inNamespace, `cronjob=~"${cronJobName}"`)}, "database", "$1", "cronjob", "${cronJobName}")`;
  const pushed = (metric: string) => selector(metric, `database=~"${databases}"`);
  return { cronJob, pushed, cronJobName, inNamespace };
}

/** The newest success of each database, pushed or seen by kube-state-metrics as its CronJob's. */
function newestSuccessOf(context: AlertRulesContext, cronJobPrefix: string, pushedSuccess: string): string {
  const { cronJob, pushed } = sources(context, cronJobPrefix);
  return `max by (database) (\n  ${pushed(pushedSuccess)}\n  or\n  ${cronJob("kube_cronjob_status_last_successful_time")}\n)`;
}

/**
 * Seconds since the newest success of each database, from either source; for a database with no success
 * at all, seconds since its CronJob was created. Above `maxAge` means: no success within the maximum age.
 */
function tooOld(context: AlertRulesContext, cronJobPrefix: string, pushedSuccess: string, maxAge: number): string {
  const { cronJob } = sources(context, cronJobPrefix);
  const newestSuccess = newestSuccessOf(context, cronJobPrefix, pushedSuccess);
  return (
    `time() - ${newestSuccess} > ${maxAge}\n` +
    `or\n` +
    `time() - max by (database) (${cronJob("kube_cronjob_created")}) > ${maxAge}\nunless on (database)\n${newestSuccess}`
  );
}

/**
 * The step at which the run-not-started alerts look back for a CronJob's previous schedule (Prometheus' lookback
 * delta), and how much later than the newest sample of it they find the change may have been: one step, and the
 * scrape interval (at most 60s, stacks/schema.ts) until a scrape showed the new schedule. A run of the new schedule
 * due that soon after the change counts from its next run. Each evaluation reads one point per step of the window
 * (a weekly drill's 8d: 768 at 15m, 2304 at 5m), and a quarter of an hour matters little against daily and weekly runs.
 */
const SCHEDULE_CHANGE_STEP = "15m";
const SCHEDULE_CHANGE_SEEN_WITHIN_SECONDS = seconds(SCHEDULE_CHANGE_STEP) + 60;

/** The time between every two runs of `schedule`, when it is always the same (daily, weekly, every 6h). */
function evenGapSeconds(schedule: string | undefined): number | undefined {
  if (schedule === undefined) return undefined;
  const gap = longestScheduleGapSeconds(schedule);
  return Number.isFinite(gap) && gap === shortestScheduleGapSeconds(schedule) ? gap : undefined;
}

/**
 * When the run is due whose start the alerts wait for, per database. kube-state-metrics' next schedule time is the
 * schedule's next time after status.lastScheduleTime, and a schedule change makes it misleading: KSM computes it
 * with the new schedule from the newest run started under the old one. A daily 02:00 run moved to 03:00 at 10:00,
 * after the 02:00 run, gives 03:00 today, hours past; the controller never considers that time (it looks back only
 * the starting deadline) and starts nothing until 03:00 tomorrow. So a due time from before the change is carried
 * to the first run of the new schedule after it: with runs `gap` apart, a whole number of gaps later.
 *
 * The change is the newest time within `window` at which kube_cronjob_info showed the CronJob with another schedule
 * or time zone than now: matching on those labels only, a new kube-state-metrics pod (pod, instance) is no change.
 * The subquery reads `window` of those series at every evaluation. `window` is the maximum age, which the loader
 * keeps above the schedule's longest gap plus the starting deadline (stacks/cross-field-checks.ts): by then the new
 * schedule's first run has started, or it was missed and the due time from before the change counts again.
 * `gap` is the stack's schedule's; when a deploy changes the CronJob before the rule, the time carried by the old
 * gap is still after the change, so the minutes until the rule follows are within the starting deadline. Without an
 * even gap (weekdays only, monthly, or no schedule given), a due time from before the change is ignored until the
 * change leaves the window; by then the too-old alert has fired, unless a run succeeded since.
 */
function dueRun(context: AlertRulesContext, cronJobPrefix: string, schedule: string | undefined, window: string): string {
  const { cronJob, cronJobName } = sources(context, cronJobPrefix);
  const kubeStateDue = `max by (database) (${cronJob("kube_cronjob_next_schedule_time")})`;
  const info = selector("kube_cronjob_info", KSM, `namespace="${context.backupNamespace}"`, `cronjob=~"${cronJobName}"`);
  const previousSchedule = `max_over_time(timestamp(${info})[${window}:${SCHEDULE_CHANGE_STEP}])\n    unless on (namespace, cronjob, schedule, timezone)\n    ${info}`;
  const changed = `max by (database) (\n    label_replace(\n    ${previousSchedule},\n    "database", "$1", "cronjob", "${cronJobName}")\n  ) + ${SCHEDULE_CHANGE_SEEN_WITHIN_SECONDS}`;
  const gap = evenGapSeconds(schedule);
  if (gap === undefined) return `(\n  ${kubeStateDue}\n  unless on (database)\n  ${kubeStateDue} < ${changed}\n)`;
  return `(\n  ${kubeStateDue} + ${gap} * ceil(clamp_min(\n  ${changed}\n  - ${kubeStateDue}, 0) / ${gap})\n  or\n  ${kubeStateDue}\n)`;
}

/**
 * Databases whose CronJob `<cronJobPrefix><database>` is not starting its runs, labelled `reason`:
 * - `missed-run`: the run due (dueRun) is more than the starting deadline in the past. The controller sets
 *   status.lastScheduleTime only when it creates a Job, so a run it skipped (it was down past the starting
 *   deadline) leaves that time in the past until the following run starts. A run started by hand since
 *   (`kubectl create job --from=cronjob/…`) that succeeded makes up for it.
 * - `suspended`: spec.suspend is true (kube-state-metrics then drops kube_cronjob_next_schedule_time).
 * The value is how long no run has started: since status.lastScheduleTime, or the creation of a CronJob that never ran.
 */
function runsNotStarting(context: AlertRulesContext, cronJobPrefix: string, pushedSuccess: string, schedule: string | undefined, maxAge: string): string {
  const { cronJob } = sources(context, cronJobPrefix);
  const sinceLastStart = `time() - max by (database) (${cronJob("kube_cronjob_status_last_schedule_time")} or ${cronJob("kube_cronjob_created")})`;
  const because = (reason: string, condition: string) => `label_replace(\n  ${sinceLastStart}\n  and on (database)\n  ${condition},\n  "reason", "${reason}", "", ""\n)`;
  const due = dueRun(context, cronJobPrefix, schedule, maxAge);
  // Written so that the due time, and its subquery, is evaluated once: due before the deadline, and not before the
  // newest success, or the CronJob's creation if it never succeeded (which every due time is after).
  const missedRun =
    `(\n  ${due} < time() - ${BACKUP_STARTING_DEADLINE_SECONDS}\n)\n` +
    `>= on (database)\n(\n  ${newestSuccessOf(context, cronJobPrefix, pushedSuccess)}\n  or on (database)\n  max by (database) (${cronJob("kube_cronjob_created")})\n)`;
  return (
    `${because("missed-run", missedRun)}\n` +
    `or\n` +
    because("suspended", `max by (database) (${cronJob("kube_cronjob_spec_suspend")}) > 0`)
  );
}

/**
 * `job_name` regex of the Jobs the backup and restore-drill CronJobs create (a CronJob names its Jobs
 * <cronjob>-<scheduled minute>), or undefined without backed-up databases. Their failures are reported per
 * database here, so the generic JobFailed leaves them out.
 */
export function backupJobNames(context: AlertRulesContext): string | undefined {
  if (context.backupDatabases.length === 0) return undefined;
  return `(${anyOf([context.backupCronJobPrefix, context.restoreDrillCronJobPrefix])})(${anyOf(context.backupDatabases)})-[0-9]+`;
}

/**
 * Databases with Jobs of the CronJob `<cronJobPrefix><database>` that failed since its last success, counted
 * per database, unless the newest pushed attempt already reported a failure (`reportedFailure`): a Job that
 * dies before it can push (OOM, eviction, image pull) leaves only kube-state-metrics' record.
 */
function jobsFailedWithoutReport(context: AlertRulesContext, cronJobPrefix: string, reportedFailure: string): string {
  const { cronJobName, inNamespace } = sources(context, cronJobPrefix);
  const jobName = `${cronJobName}-[0-9]+`;
  const jobs = (metric: string) => selector(metric, KSM, inNamespace, `job_name=~"${jobName}"`);
  // Failed Jobs linger in the CronJob's history; only those that started after the last success count.
  const failedSinceSuccess =
    `max by (namespace, job_name) (${jobs("kube_job_status_failed")}) > 0\n` +
    `unless on (namespace, job_name)\n(\n` +
    `  label_replace(max by (namespace, job_name) (${jobs("kube_job_status_start_time")}), "cronjob", "$1", "job_name", "(${cronJobName})-[0-9]+")\n` +
    `  < on (namespace, cronjob) group_left ()\n` +
    `  max by (namespace, cronjob) (${selector("kube_cronjob_status_last_successful_time", KSM, inNamespace, `cronjob=~"${cronJobName}"`)})\n)`;
  return `count by (database) (\n  label_replace(\n${failedSinceSuccess}, "database", "$1", "job_name", "${jobName}")\n)\nunless on (database)\n${reportedFailure}`;
}

/**
 * The newest failure, for databases whose newest attempt failed (none succeeded since). A success counts from
 * either source: a run that succeeded but could not push (Pushgateway unreachable) is still a success, which
 * kube-state-metrics sees as its CronJob's last successful time.
 */
function lastAttemptFailed(failure: string, success: string, cronJobSuccess: string): string {
  const failed = `max by (database) (${failure})`;
  const succeeded = `max by (database) (${success} or ${cronJobSuccess})`;
  return `(\n  ${failed} > ${succeeded}\n  or\n  ${failed} unless ${succeeded}\n)`;
}

function notStartedDescription(run: string, tooOld: string): string {
  return (
    `No ${run} run of database {{ $labels.database }} has started for {{ $value | humanizeDuration }} ({{ $labels.reason }}):` +
    ` its CronJob skipped a scheduled run it could no longer start within its ${secondsText(BACKUP_STARTING_DEADLINE_SECONDS)} starting deadline, or is suspended.` +
    ` ${tooOld} follows once the newest success is too old.`
  );
}

/** Database backups and restore drills, one alert per database and problem. */
export const backupRules: RuleGroupBuilder = (t, context) => {
  const b = t.backups;
  const maxAge = seconds(b.maxAge);
  const backups = sources(context, context.backupCronJobPrefix);
  const backupFailed = lastAttemptFailed(
    backups.pushed("pg_backup_last_failure_timestamp_seconds"),
    backups.pushed("pg_backup_last_success_timestamp_seconds"),
    backups.cronJob("kube_cronjob_status_last_successful_time"),
  );
  const drills = sources(context, context.restoreDrillCronJobPrefix);
  const drillFailed = lastAttemptFailed(
    drills.pushed("pg_restore_drill_last_failure_timestamp_seconds"),
    drills.pushed("pg_restore_drill_last_success_timestamp_seconds"),
    drills.cronJob("kube_cronjob_status_last_successful_time"),
  );
  // The job pushes its success moments before its Job completes; a CronJob success newer than the newest
  // pushed one by more than this was a run whose push did not arrive.
  const pushLagSeconds = 900;
  const cronJobSuccess = `max by (database) (${backups.cronJob("kube_cronjob_status_last_successful_time")})`;
  const pushedSuccess = `max by (database) (${backups.pushed("pg_backup_last_success_timestamp_seconds")})`;
  return {
    name: "platform-backups",
    rules: [
      alertRule(RUNBOOK, {
        alert: "BackupTooOld",
        expr: tooOld(context, context.backupCronJobPrefix, "pg_backup_last_success_timestamp_seconds", maxAge),
        for: b.tooOldFor,
        severity: "critical",
        team: "database",
        component: "backup",
        identity: DATABASE,
        summary: "A database has had no successful backup within the maximum age.",
        description: `No backup of database {{ $labels.database }} has succeeded for {{ $value | humanizeDuration }}; backups must succeed at least every ${b.maxAge}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupNotStarted",
        // Says within the hour what BackupTooOld only sees at maxAge, and why; it does not inhibit BackupTooOld.
        expr: runsNotStarting(context, context.backupCronJobPrefix, "pg_backup_last_success_timestamp_seconds", context.backupSchedule, b.maxAge),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        identity: DATABASE_AND_REASON,
        summary: "A database's backup CronJob is not starting its runs: a run was skipped, or the CronJob is suspended.",
        description: notStartedDescription("backup", "BackupTooOld"),
      }),
      alertRule(RUNBOOK, {
        alert: "BackupFailed",
        expr: `time() - ${backupFailed}`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        identity: DATABASE,
        summary: "The latest backup attempt of a database failed.",
        description: `The backup of database {{ $labels.database }} failed {{ $value | humanizeDuration }} ago and none has succeeded since.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupJobFailed",
        // When the job did push its failure, BackupFailed already says so.
        expr: jobsFailedWithoutReport(context, context.backupCronJobPrefix, backupFailed),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        identity: DATABASE,
        summary: "Backup Jobs of a database failed without reporting why.",
        description: `{{ $value | humanize }} backup Job(s) of database {{ $labels.database }} failed since its last successful backup, without pushing a failure to the Pushgateway.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BackupMetricsAbsent",
        // The CronJob succeeded but the job's metrics never reached Prometheus (never, or not for its newest
        // success): sizes, durations and failures of that database are blind until the push path works again.
        expr: `${cronJobSuccess}\nunless on (database)\n${pushedSuccess}\nor\n${cronJobSuccess}\n> on (database)\n${pushedSuccess} + ${pushLagSeconds}`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "backup",
        identity: DATABASE,
        summary: "A database's backup succeeds, but its metrics do not reach Prometheus.",
        description: `The backup CronJob of database {{ $labels.database }} has succeeded, but for ${b.failedFor} the Pushgateway has given Prometheus no pg_backup_last_success_timestamp_seconds of that success.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillFailed",
        expr: `time() - ${drillFailed}`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        identity: DATABASE,
        summary: "The latest restore drill of a database failed.",
        description: `The restore drill of database {{ $labels.database }} failed {{ $value | humanizeDuration }} ago and none has passed since: the newest backup may not restore.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillJobFailed",
        // When the drill did push its failure, RestoreDrillFailed already says so.
        expr: jobsFailedWithoutReport(context, context.restoreDrillCronJobPrefix, drillFailed),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        identity: DATABASE,
        summary: "Restore-drill Jobs of a database failed without reporting why.",
        description: `{{ $value | humanize }} restore-drill Job(s) of database {{ $labels.database }} failed since its last passing drill, without pushing a failure to the Pushgateway.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillNotStarted",
        expr: runsNotStarting(context, context.restoreDrillCronJobPrefix, "pg_restore_drill_last_success_timestamp_seconds", context.restoreDrillSchedule, b.restoreDrillMaxAge),
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        identity: DATABASE_AND_REASON,
        summary: "A database's restore-drill CronJob is not starting its runs: a run was skipped, or the CronJob is suspended.",
        description: notStartedDescription("restore drill", "RestoreDrillTooOld"),
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreDrillTooOld",
        expr: tooOld(context, context.restoreDrillCronJobPrefix, "pg_restore_drill_last_success_timestamp_seconds", seconds(b.restoreDrillMaxAge)),
        for: b.tooOldFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        identity: DATABASE,
        summary: "A database has had no passing restore drill within the maximum age.",
        description: `No restore drill of database {{ $labels.database }} has passed for {{ $value | humanizeDuration }}; drills must pass at least every ${b.restoreDrillMaxAge}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "RestoreSlowerThanObjective",
        // The drill pushes the gauge once a week and the Pushgateway keeps it, so `for` only rides out a rule reload.
        expr: `max by (database) (${drills.pushed("pg_restore_drill_restore_duration_seconds")}) > ${seconds(context.recoveryTimeObjective)}`,
        for: b.failedFor,
        severity: "warning",
        team: "database",
        component: "restore-drill",
        identity: DATABASE,
        summary: "Restoring a database from its newest backup takes longer than the recovery time objective.",
        description:
          `The last restore drill of database {{ $labels.database }} needed {{ $value | humanizeDuration }} to download, check and restore its newest backup;` +
          ` the recovery time objective is ${context.recoveryTimeObjective}.`,
      }),
    ],
  };
};
