import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { AlertRules as InternalAlertRules } from "../components/alerting/rules/alert-rules";
import { BACKUP_CRONJOB_PREFIX, RESTORE_DRILL_CRONJOB_PREFIX } from "../components/backups/backup-cronjobs";
import { AlertThresholdsSchema } from "../stacks/alert-thresholds-schema";
import { SloSchema } from "../stacks/apps-schema";
import { NamespaceSchema, StackSettingsSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import type { AlertThresholds } from "./alert-thresholds";
import type { SloLatencyObjective, SloObjective, SloWindow } from "./types";

/** One app's service-level objectives, which replace its fixed-threshold HTTP alerts with burn-rate alerts. */
export interface ServiceSlo {
  /** The app's name: the `service` label of its series. */
  service: string;
  /** The app's namespace: the `namespace` label of its series. */
  namespace: string;
  /** Period the objectives hold over. */
  window: SloWindow;
  /** Share of requests answered without a 5xx status. Default: none. */
  availability?: SloObjective;
  /** Share of requests answered within thresholdSeconds. Default: none. */
  latency?: SloLatencyObjective;
}

export interface AlertRulesArgs {
  /** Every threshold and `for` window the rules use, with the shape and rules of a stack file's alertThresholds (Pulumi.production.yaml has a complete example). */
  thresholds: AlertThresholds;
  /** https:// URL of the runbooks folder as the team hosts it; an alert links to <url>/<file>.md#<alert>. */
  runbookBaseUrl: string;
  /** Namespace of the PrometheusRule objects (Prometheus selects rules in every namespace). Default: monitoring. */
  namespace?: string;
  /** Namespaces that run applications: their workload and availability alerts go to the application team. Default: none. */
  appNamespaces?: string[];
  /** Namespace of the database backup CronJobs (DatabaseBackups). Default: backups. */
  backupNamespace?: string;
  /** Database entries with backups: the `database` label of the metrics the backup jobs push. Default: none (no backup alerts fire). */
  backupDatabases?: string[];
  /**
   * The backup CronJobs' schedule (DatabaseBackups' `schedule`): after a schedule change, BackupNotStarted waits
   * for this schedule's first run rather than for the run kube-state-metrics computes from the old one. Default:
   * none (a run due before a schedule change is ignored until the change is older than the maximum age).
   */
  backupSchedule?: string;
  /** The restore drills' schedule (DatabaseBackups' `drillSchedule`), as backupSchedule for RestoreDrillNotStarted. Default: none. */
  restoreDrillSchedule?: string;
  /** Longest acceptable restore of a database (Prometheus duration); the restore drill alerts above it. Default: 4h. */
  recoveryTimeObjective?: string;
  /** Apps with service-level objectives. Default: none. */
  slos?: ServiceSlo[];
}

const dnsLabel = NamespaceSchema.shape.name;

const AlertRulesArgsSchema = z.strictObject({
  thresholds: AlertThresholdsSchema,
  runbookBaseUrl: StackSettingsSchema.shape.runbookBaseUrl,
  namespace: dnsLabel.default("monitoring"),
  appNamespaces: z.array(dnsLabel).default([]),
  backupNamespace: dnsLabel.default("backups"),
  backupDatabases: z.array(dnsLabel).default([]),
  backupSchedule: StackSettingsSchema.shape.backupSchedule.optional(),
  restoreDrillSchedule: StackSettingsSchema.shape.restoreDrillSchedule.optional(),
  recoveryTimeObjective: StackSettingsSchema.shape.recoveryTimeObjective.default("4h"),
  slos: z.array(SloSchema.safeExtend({ service: dnsLabel, namespace: dnsLabel })).default([]),
});

/**
 * The platform's recording and alerting rules as PrometheusRule objects: workloads, nodes, Prometheus,
 * HTTP and availability, SLO burn rates, backups, blue-green previews, tracing and the platform's data tier.
 * The PrometheusRule CRD (prometheus-operator) must be installed first.
 */
export class AlertRules extends pulumi.ComponentResource {
  /** Names of the PrometheusRule objects, one per rule group. */
  public readonly ruleGroups: string[];

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = parseArgs("AlertRules", name, AlertRulesArgsSchema, args);
    super("platform:index:AlertRules", name, {}, opts);
    const rules = new InternalAlertRules(
      name,
      {
        namespace: a.namespace,
        thresholds: a.thresholds,
        runbookBaseUrl: a.runbookBaseUrl,
        appNamespaces: a.appNamespaces,
        backupNamespace: a.backupNamespace,
        backupDatabases: a.backupDatabases,
        backupCronJobPrefix: BACKUP_CRONJOB_PREFIX,
        restoreDrillCronJobPrefix: RESTORE_DRILL_CRONJOB_PREFIX,
        backupSchedule: a.backupSchedule,
        restoreDrillSchedule: a.restoreDrillSchedule,
        recoveryTimeObjective: a.recoveryTimeObjective,
        slos: a.slos,
      },
      { parent: this },
    );
    this.ruleGroups = Object.keys(rules.rules);
    this.registerOutputs({ ruleGroups: this.ruleGroups });
  }
}
