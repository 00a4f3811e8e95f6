import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";
import type { AppSloSettings } from "../../../stacks/apps-schema";

/**
 * Severity, as the monitoring mixins define it: critical pages, warning makes a ticket, info is context.
 * `none` is Watchdog's alone: it is not about anything being wrong, it proves the pipeline works.
 */
export type Severity = "critical" | "warning" | "info" | "none";

/** Teams that receive alerts; Alertmanager routes on this label. */
export type Team = "application" | "security" | "database" | "data-engineering" | "infrastructure";

export interface AlertLabels {
  readonly severity: Severity;
  readonly team: Team;
  /** The part of the system that is unwell (http, database, backup, …); used for routing and inhibition. */
  readonly component: string;
  /**
   * Burn-rate alerts only: the app and SLO a rule is about, as Pyrra labels its rules. The series carry
   * them too; on the rule they keep two SLOs' rules apart (promtool rejects rules of equal name and labels).
   */
  readonly service?: string;
  readonly slo?: string;
}

export interface AlertAnnotations {
  /** One sentence, ending with a period, readable without the labels. */
  readonly summary: string;
  /** What is wrong where and how badly, templated with {{ $labels.* }} and {{ $value }}. */
  readonly description: string;
  readonly runbook_url: string;
}

/** An alerting rule in Prometheus' rule-file format (field names as Prometheus spells them). */
export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: AlertLabels;
  readonly annotations: AlertAnnotations;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  /** Labels added to every recorded series (Prometheus' `labels` of a recording rule). */
  readonly labels?: Readonly<Record<string, string>>;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval; Prometheus' global evaluation interval when unset. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/**
 * An alert as the platform defines it: the Prometheus rule without its runbook URL (the stack's
 * runbookBaseUrl completes it), plus what Alertmanager and the docs need to know about it.
 */
export interface PlatformAlert extends Omit<AlertingRule, "annotations"> {
  readonly annotations: Omit<AlertAnnotations, "runbook_url">;
  /**
   * The labels that identify the failing thing, i.e. every label of the alert's series besides the rule's
   * own (severity, team, component): `instance` for a node, `namespace` and `service` for a service.
   * Inhibition compares exactly these, so a critical alert never silences the warning of another node.
   */
  readonly identity: readonly string[];
  /** Runbook file (runbooks/<runbook>.md); the section is `## <alert>`. */
  readonly runbook: string;
}

export type PlatformRule = PlatformAlert | RecordingRule;

export interface PlatformRuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly PlatformRule[];
}

export function isAlertingRule<R extends Rule | PlatformRule>(rule: R): rule is Extract<R, { alert: string }> {
  return "alert" in rule;
}

/** The SLOs one app declares, as the rules need them. */
export interface ServiceSlos extends AppSloSettings {
  /** The app's namespace and name: the `namespace` and `service` labels of its series. */
  readonly namespace: string;
  readonly service: string;
}

/** What the rules need to know about the platform besides thresholds. */
export interface AlertRulesContext {
  /**
   * Namespaces that run the applications. Workload and availability alerts for them go to team
   * application; the workload alerts the platform owns everywhere (namespaceOwners) send every other
   * namespace's to infrastructure.
   */
  readonly appNamespaces: readonly string[];
  /** Namespace of the database backup CronJobs. */
  readonly backupNamespace: string;
  /** Database entries with backups enabled: the `database` label of the pushed metrics. */
  readonly backupDatabases: readonly string[];
  /** Prefix of the backup CronJobs' names, followed by the database entry (`pg-backup-orders`). */
  readonly backupCronJobPrefix: string;
  /** Prefix of the restore-drill CronJobs' names, followed by the database entry. */
  readonly restoreDrillCronJobPrefix: string;
  /**
   * The backup CronJobs' schedule (the stack's backupSchedule): after a schedule change, BackupNotStarted waits for
   * the first run of this schedule instead of a run due before the change.
   * @default none: a run due before a schedule change is ignored until the change is older than the maximum age
   */
  readonly backupSchedule?: string;
  /**
   * The restore-drill CronJobs' schedule (the stack's restoreDrillSchedule), as backupSchedule for RestoreDrillNotStarted.
   * @default none, as backupSchedule
   */
  readonly restoreDrillSchedule?: string;
  /** Base URL of the runbooks folder; an alert links to `<base>/<file>.md#<alert>`. */
  readonly runbookBaseUrl: string;
  /** Apps with SLOs; each gets recording rules and burn-rate alerts instead of fixed error alerts. */
  readonly slos: readonly ServiceSlos[];
  /** The stack's recovery time objective (Prometheus duration): the longest acceptable restore of a database. */
  readonly recoveryTimeObjective: string;
}

/** A builder of one concern's rule group. */
export type RuleGroupBuilder = (thresholds: AlertThresholds, context: AlertRulesContext) => PlatformRuleGroup;
