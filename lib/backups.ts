/**
 * `platform/backups`: DatabaseBackups, an entry of its own because it needs @pulumi/aws (an optional peer
 * dependency), which the main entry does not load.
 */
export * from "./database-backups";
