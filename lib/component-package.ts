/**
 * Every component the component package (pulumi-resource-platform) serves to other languages: the main
 * entry's and those of platform/backups and platform/monitoring. provider/package.json names this file as the
 * entry Pulumi's schema analyzer starts from; TypeScript programs import the entries themselves.
 */
// The components load only the aws namespaces they use (components/core/aws.ts); the package index also
// registers the aws package, which turns a provider passed by reference from another language's program
// back into an aws.Provider. Required rather than imported: TypeScript would read the declarations of all
// 250 namespaces (2,700 files, 31 MB) wherever this file is compiled or analysed, and nothing here uses them.
require("@pulumi/aws");
import { AlertRules, BlueGreenApp, PlatformDashboards, PlatformNamespace } from "./index";
import { DatabaseBackups, PostgresBackup } from "./backups";
import { MonitoringStack } from "./monitoring";

export { AlertRules, BlueGreenApp, DatabaseBackups, MonitoringStack, PlatformDashboards, PlatformNamespace, PostgresBackup };

/** The served components, in the order the schema lists them. */
export const SERVED_COMPONENTS = [PlatformNamespace, BlueGreenApp, AlertRules, PlatformDashboards, DatabaseBackups, PostgresBackup, MonitoringStack];
