/**
 * `platform/backups`: DatabaseBackups and PostgresBackup, an entry of its own because they need @pulumi/aws
 * (an optional peer dependency), which the main entry does not load.
 */
export * from "./postgres-connection";
export * from "./database-backups";
export * from "./postgres-backup";
