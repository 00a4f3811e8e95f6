import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DEFAULT_DRILL_MIN_ROWS, DEFAULT_VOLUME_SIZES } from "../components/backups/backup-cronjobs";
import { backupPrefix } from "../components/backups/backup-policies";
import { BACKUP_SERVICE_ACCOUNT, databaseRecoveryPoint } from "../components/backups/database-backups";
import { PostgresBackup as InternalPostgresBackup } from "../components/backups/postgres-backup";
import { monitoringUrls } from "../components/monitoring/monitoring-input";
import { DEFAULT_BACKUP_RUN_DEADLINE } from "../stacks/backup-job-timing";
import { durationSeconds } from "../stacks/formats";
import { NamespaceSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import { type BackedUpDatabase, BackedUpDatabaseSchema, type BackupJobSettings, backupSettingsShape } from "./database-backups";
import type { Environment } from "./types";

export interface PostgresBackupArgs extends BackupJobSettings {
  /** Name of the stack: the backups go under the prefix <stack>/<database name>/ of the bucket. */
  stack: string;
  /** Environment of the stack: staging or production (the jobs' labels). */
  environment: Environment;
  /** The database to back up every day and restore-drill every week. */
  database: BackedUpDatabase;
  /** Name of the versioned S3 bucket the dumps go to (DatabaseBackups' bucketName). */
  bucket: pulumi.Input<string>;
  /** ARN of the KMS key the dumps are encrypted with (DatabaseBackups' kmsKeyArn). */
  kmsKeyArn: pulumi.Input<string>;
  /** An existing ServiceAccount in `namespace` whose IAM role (IRSA) may write the stack's prefix and use the key. Default: pg-backup (the one DatabaseBackups creates). */
  serviceAccount?: string;
}

/** A string checked by `valid`, or an Output whose value is known only at deployment. */
const stringInput = (valid: RegExp, error: string) =>
  z.custom<pulumi.Input<string>>((v) => (typeof v === "string" ? valid.test(v) : pulumi.Output.isInstance(v)), { error });

const PostgresBackupArgsSchema = z.strictObject({
  ...backupSettingsShape,
  database: BackedUpDatabaseSchema,
  bucket: stringInput(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (or an Output of one, such as DatabaseBackups' bucketName)"),
  kmsKeyArn: stringInput(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/, "must be a KMS key ARN (or an Output of one, such as DatabaseBackups' kmsKeyArn)"),
  serviceAccount: NamespaceSchema.shape.name.default(BACKUP_SERVICE_ACCOUNT),
});

/**
 * One PostgreSQL database's nightly verified backup and weekly restore drill: a pg_dump CronJob that uploads
 * to the bucket under <stack>/<database>/ with keep-last retention, and a CronJob that restores the newest
 * dump into a throw-away PostgreSQL and counts rows of the drill tables; both push their metrics to the
 * Pushgateway. DatabaseBackups creates the bucket, key and ServiceAccount and one of these per database; use
 * PostgresBackup alone to add a database to them. Pass the Kubernetes provider explicitly, and the AWS
 * provider when the database names pointInTimeRecovery (its retention is read from RDS).
 */
export class PostgresBackup extends pulumi.ComponentResource {
  /** Name of the backup CronJob. */
  public readonly backupCronJobName: pulumi.Output<string>;
  /** Name of the restore-drill CronJob. */
  public readonly restoreDrillCronJobName: pulumi.Output<string>;

  constructor(name: string, args: PostgresBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = parseArgs("PostgresBackup", name, PostgresBackupArgsSchema, args);
    super("platform:index:PostgresBackup", name, {}, opts);
    const { passwordSecret, drillTables, drillMinRows, pointInTimeRecovery, dumpVolumeSize, restoreVolumeSize, runDeadline, ...connection } = a.database;
    const backup = new InternalPostgresBackup(
      name,
      {
        ...connection,
        environment: a.environment,
        namespace: a.namespace,
        password: passwordSecret,
        schedule: a.schedule,
        runDeadline: runDeadline ?? DEFAULT_BACKUP_RUN_DEADLINE,
        drillSchedule: a.drillSchedule,
        drillTables,
        drillMinRows: drillMinRows ?? DEFAULT_DRILL_MIN_ROWS,
        dumpVolumeSize: dumpVolumeSize ?? DEFAULT_VOLUME_SIZES.dumpVolumeSize,
        restoreVolumeSize: restoreVolumeSize ?? DEFAULT_VOLUME_SIZES.restoreVolumeSize,
        retentionDays: durationSeconds(a.retention)! / 86400,
        keepLast: a.keepLast,
        recoveryTimeObjective: a.recoveryTimeObjective,
        storageClass: a.storageClass,
        prefix: backupPrefix(a.stack, connection.name),
        serviceAccount: a.serviceAccount,
        pushgatewayUrl: monitoringUrls(a.monitoringNamespace).pushgateway,
        image: a.image,
        bucket: a.bucket,
        kmsKeyArn: a.kmsKeyArn,
        recoveryPoint: databaseRecoveryPoint(pointInTimeRecovery, a.schedule, this),
      },
      { parent: this },
    );
    this.backupCronJobName = backup.backup.metadata.name;
    this.restoreDrillCronJobName = backup.drill.metadata.name;
    this.registerOutputs({ backupCronJobName: this.backupCronJobName, restoreDrillCronJobName: this.restoreDrillCronJobName });
  }
}
