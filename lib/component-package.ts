/**
 * Every component the component package (pulumi-resource-platform) serves to other languages: the main
 * entry's and those of platform/backups and platform/monitoring. provider/package.json names this file as the
 * entry Pulumi's schema analyzer starts from; TypeScript programs import the entries themselves.
 */
import { AlertRules, BlueGreenApp, PlatformDashboards, PlatformNamespace } from "./index";
import { DatabaseBackups, PostgresBackup } from "./backups";
import { MonitoringStack } from "./monitoring";

export { AlertRules, BlueGreenApp, DatabaseBackups, MonitoringStack, PlatformDashboards, PlatformNamespace, PostgresBackup };

/** The served components, in the order the schema lists them. */
export const SERVED_COMPONENTS = [PlatformNamespace, BlueGreenApp, AlertRules, PlatformDashboards, DatabaseBackups, PostgresBackup, MonitoringStack];
