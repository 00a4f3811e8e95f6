import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_BACKUP_RUN_DEADLINE } from "../../stacks/backup-job-timing";
import { durationSeconds } from "../../stacks/formats";
import type { DatabaseSettings } from "../../stacks/schema";
import { commonLabels } from "../core/labels";
import { databasePasswordSecret } from "../databases/credentials";
import { BackupBucket } from "./backup-bucket";
import { DEFAULT_DRILL_MIN_ROWS, DEFAULT_VOLUME_SIZES, type RecoveryPoint } from "./backup-cronjobs";
import { backupPrefix } from "./backup-policies";
import { objectLockMode } from "./bucket-settings";
import { PostgresBackup, type PostgresBackupArgs } from "./postgres-backup";
import { pointInTimeRecoveryPoint, type PointInTimeRecoveryTarget, scheduleRecoveryPoint } from "./recovery-objectives";
import { pushgatewayNetworkPolicies } from "./pushgateway-network-policies";

export interface DatabaseBackupsArgs {
  readonly stack: string;
  readonly environment: string;
  /** The stack's own region (aws:region). */
  readonly region: string;
  readonly namespace: string;
  /** How long backups are kept (whole days): retention of the jobs and of the Object Lock. */
  readonly retention: string;
  /** Complete backups per database always kept, whatever their age. */
  readonly keepLast: number;
  /** Longest acceptable restore (Prometheus duration); the drill's deadline is twice it. */
  readonly recoveryTimeObjective: string;
  /** StorageClass of the jobs' per-run scratch volumes. */
  readonly storageClass: string;
  /**
   * The off-site replica's region and the provider for it.
   * @default no replica
   */
  readonly replica?: { readonly region: string; readonly provider: aws.Provider };
  readonly schedule: string;
  readonly drillSchedule: string;
  readonly image: string;
  readonly oidcProviderArn: string;
  readonly pushgatewayUrl: string;
  /** Namespace of the Pushgateway the jobs push to. */
  readonly monitoringNamespace: string;
  /** Databases with `backup.enabled`. */
  readonly databases: readonly DatabaseSettings[];
}

export const BACKUP_SERVICE_ACCOUNT = "pg-backup";

/** Where one database's backups go, as BackupBucket (and RDS, for the recovery point) resolve it. */
export interface BackupStorage {
  readonly bucket: pulumi.Input<string>;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly recoveryPoint: pulumi.Input<RecoveryPoint>;
}

/** PostgresBackup's arguments for one database: the stack's backup settings, the database entry, its storage. */
export function postgresBackupArgs(args: DatabaseBackupsArgs, db: DatabaseSettings, storage: BackupStorage): PostgresBackupArgs {
  return {
    environment: args.environment,
    namespace: args.namespace,
    name: db.name,
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    sslMode: db.sslMode,
    password: databasePasswordSecret(db),
    schedule: args.schedule,
    runDeadline: db.backup.runDeadline ?? DEFAULT_BACKUP_RUN_DEADLINE,
    drillSchedule: args.drillSchedule,
    drillTables: db.backup.drillTables,
    drillMinRows: db.backup.drillMinRows ?? DEFAULT_DRILL_MIN_ROWS,
    dumpVolumeSize: db.backup.dumpVolumeSize ?? DEFAULT_VOLUME_SIZES.dumpVolumeSize,
    restoreVolumeSize: db.backup.restoreVolumeSize ?? DEFAULT_VOLUME_SIZES.restoreVolumeSize,
    retentionDays: durationSeconds(args.retention)! / 86400,
    keepLast: args.keepLast,
    recoveryTimeObjective: args.recoveryTimeObjective,
    storageClass: args.storageClass,
    prefix: backupPrefix(args.stack, db.name),
    serviceAccount: BACKUP_SERVICE_ACCOUNT,
    pushgatewayUrl: args.pushgatewayUrl,
    image: args.image,
    ...storage,
  };
}

/** The stack's backup bucket and identity, and a PostgresBackup per database. */
export class DatabaseBackups extends pulumi.ComponentResource {
  public readonly bucket: BackupBucket;

  constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:DatabaseBackups", name, {}, opts);
    this.bucket = new BackupBucket(
      `${name}-storage`,
      {
        stack: args.stack,
        environment: args.environment,
        region: args.region,
        retention: args.retention,
        objectLockMode: objectLockMode(args.environment),
        oidcProviderArn: args.oidcProviderArn,
        namespace: args.namespace,
        serviceAccount: BACKUP_SERVICE_ACCOUNT,
        replica: args.replica,
      },
      { parent: this },
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: {
          name: BACKUP_SERVICE_ACCOUNT,
          namespace: args.namespace,
          labels: commonLabels(args.environment),
          annotations: { "eks.amazonaws.com/role-arn": this.bucket.role.arn },
        },
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
    const pushPath = pushgatewayNetworkPolicies({ environment: args.environment, backupNamespace: args.namespace, monitoringNamespace: args.monitoringNamespace });
    new k8s.networking.v1.NetworkPolicy(`${name}-to-pushgateway`, pushPath.egress, { parent: this });
    new k8s.networking.v1.NetworkPolicy(`${name}-pushgateway-ingress`, pushPath.ingress, { parent: this });
    for (const db of args.databases) {
      const storage = { bucket: this.bucket.bucket.bucket, kmsKeyArn: this.bucket.key.arn, recoveryPoint: databaseRecoveryPoint(db.backup.pointInTimeRecovery, args.schedule, this) };
      new PostgresBackup(`${name}-${db.name}`, postgresBackupArgs(args, db, storage), { parent: this, dependsOn: [serviceAccount] });
    }
    this.registerOutputs({ bucket: this.bucket.bucket.bucket });
  }
}

/**
 * A database whose RDS point-in-time recovery covers the time between dumps recovers to within minutes;
 * that is only true while RDS keeps automated backups, so the retention is read from RDS (through
 * `parent`'s AWS provider) at every preview and stated on the CronJob, where a policy rule refuses zero.
 */
export function databaseRecoveryPoint(target: PointInTimeRecoveryTarget | undefined, schedule: string, parent: pulumi.Resource): pulumi.Input<RecoveryPoint> {
  if (!target) return scheduleRecoveryPoint(schedule);
  const days =
    "rdsCluster" in target
      ? aws.rds.getClusterOutput({ clusterIdentifier: target.rdsCluster }, { parent }).backupRetentionPeriod
      : aws.rds.getInstanceOutput({ dbInstanceIdentifier: target.rdsInstance }, { parent }).backupRetentionPeriod;
  return days.apply((d) => pointInTimeRecoveryPoint(target, d));
}

