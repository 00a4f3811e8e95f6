import type { AlertRulesContext } from "../alerting/rules/types";
import { BACKUP_CRONJOB_PREFIX, RESTORE_DRILL_CRONJOB_PREFIX } from "../backups/backup-cronjobs";
import type { StackSettings } from "../../stacks/schema";
import { appNamespaces } from "./namespace-specs";

/** What the alert rules need to know about the stack: where apps, backups and SLOs are, where runbooks live. */
export function alertRulesContext(settings: StackSettings): AlertRulesContext {
  return {
    appNamespaces: appNamespaces(settings),
    backupNamespace: settings.backupNamespace,
    backupDatabases: settings.databases.filter((db) => db.backup.enabled).map((db) => db.name),
    backupCronJobPrefix: BACKUP_CRONJOB_PREFIX,
    restoreDrillCronJobPrefix: RESTORE_DRILL_CRONJOB_PREFIX,
    backupSchedule: settings.backupSchedule,
    restoreDrillSchedule: settings.restoreDrillSchedule,
    recoveryTimeObjective: settings.recoveryTimeObjective,
    runbookBaseUrl: settings.runbookBaseUrl,
    slos: settings.apps.flatMap((app) => (app.slos ? [{ ...app.slos, namespace: app.namespace, service: app.name }] : [])),
  };
}
