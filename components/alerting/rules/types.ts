import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";

/** Severity, as the monitoring mixins define it: critical pages, warning makes a ticket, info is context. */
export type Severity = "critical" | "warning" | "info";

/** Teams that receive alerts; Alertmanager routes on this label. */
export type Team = "application" | "security" | "database" | "data-engineering" | "infrastructure";

export interface AlertLabels {
  readonly severity: Severity;
  readonly team: Team;
  /** The part of the system that is unwell (http, database, backup, …); used for routing and inhibition. */
  readonly component: string;
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
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  readonly name: string;
  /** Evaluation interval; Prometheus' global evaluation interval when unset. */
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

export function isAlertingRule(rule: Rule): rule is AlertingRule {
  return "alert" in rule;
}

/** What the rules need to know about the platform besides thresholds. */
export interface AlertRulesContext {
  /**
   * Namespaces that run the applications. Workload and availability alerts for them go to team
   * application; kube-prometheus-stack's default rules keep covering every other namespace.
   */
  readonly appNamespaces: readonly string[];
  /** Namespace of the database backup CronJobs. */
  readonly backupNamespace: string;
  /** RE2 regex matching the names of the backup CronJobs, e.g. `pg-backup-.+`. */
  readonly backupCronJobPattern: string;
  /** The stack's recovery time objective (Prometheus duration): the longest acceptable restore of a database. */
  readonly recoveryTimeObjective: string;
}

/** A builder of one concern's rule group. */
export type RuleGroupBuilder = (thresholds: AlertThresholds, context: AlertRulesContext) => RuleGroup;
