import type * as aws from "../components/core/aws";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DatabaseBackups as InternalDatabaseBackups } from "../components/backups/database-backups";
import { monitoringUrls } from "../components/monitoring/monitoring-input";
import { AWS_REGION } from "../stacks/formats";
import { DatabaseSchema, StackSettingsSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import { type PostgresConnection, postgresConnectionShape } from "./postgres-connection";
import type { Environment } from "./types";

/** The RDS cluster or instance whose automated backups (point-in-time recovery) cover the time between two dumps: set exactly one. */
export interface PointInTimeRecovery {
  /** Identifier of the RDS (Aurora) cluster. Default: none. */
  rdsCluster?: string;
  /** Identifier of the RDS instance. Default: none. */
  rdsInstance?: string;
}

/** A PostgreSQL database to back up every day and restore-drill every week; its role needs pg_read_all_data, its password Secret lives in the backup namespace. */
export interface BackedUpDatabase extends PostgresConnection {
  /** Tables (schema.table) the restore drill counts rows in, at least one; each must hold at least drillMinRows rows. */
  drillTables: string[];
  /** The fewest rows each drill table of the restored backup may hold (a whole number, at least 1); fewer fails the drill. Default: 1. */
  drillMinRows?: number;
  /** Size of the volume each backup and drill run keeps one dump on (a Kubernetes quantity); a dump that does not fit fails the run with "scratch area full". Default: 20Gi. */
  dumpVolumeSize?: string;
  /** Size of the restore drill's PostgreSQL data volume, which holds the whole restored database (a Kubernetes quantity). Default: 40Gi. */
  restoreVolumeSize?: string;
  /** Longest one backup run may take, its retry included (a Prometheus duration of at least 10m): a run still going then is stopped and fails, and BackupTooOld's maximum age must allow for it (the schedule's longest gap + 1h the CronJob may start late + this). Default: 4h. */
  runDeadline?: string;
  /** The RDS cluster or instance whose point-in-time recovery covers the time between dumps (the program reads its retention from RDS through the AWS provider). Default: none (the recovery point is the schedule's interval). */
  pointInTimeRecovery?: PointInTimeRecovery;
}

/** The off-site copy of the backups: a bucket in another region of the same account, replicated to. */
export interface BackupReplica {
  /** Region of the replica's bucket; it must differ from the bucket's. */
  region: string;
  /** The AWS provider for that region (same account): an aws.Provider resource, checked when the component is created. */
  // Typed `any` for the component package's schema: SDK 3.270's analyzer writes an aws.Provider as
  // /aws/v<version>/schema.json#/resources/aws, which no schema binds (a provider is #/provider), and any
  // reference into the aws package makes `pulumi package get-schema` load the AWS plugin. Any is schema-valid;
  // DatabaseBackupsArgsSchema refuses anything but a provider resource.
  provider: any;
}

/** How the backup and restore-drill CronJobs run: what DatabaseBackups and PostgresBackup share. */
export interface BackupJobSettings {
  /** Namespace of the backup and restore-drill CronJobs (it must exist). Default: backups. */
  namespace?: string;
  /** How long backups are kept, whole days (with DatabaseBackups also the bucket's Object Lock retention). Default: 30d. */
  retention?: string;
  /** Complete backups per database always kept, whatever their age. Default: 7. */
  keepLast?: number;
  /** Longest acceptable restore of a database (Prometheus duration); the drill fails above twice it. Default: 4h. */
  recoveryTimeObjective?: string;
  /** StorageClass of the jobs' scratch volumes. Default: gp3. */
  storageClass?: string;
  /** Cron schedule of the backups (UTC). Default: 0 2 * * *. */
  schedule?: string;
  /** Cron schedule of the restore drills (UTC). Default: 0 5 * * 0. */
  drillSchedule?: string;
  /** Image of the jobs (bash, pg_dump/pg_restore, awscli v2, curl). Default: ghcr.io/example/platform-pg-backup:15.18-1. */
  image?: string;
  /** Namespace of the Pushgateway the jobs push their metrics to. Default: monitoring. */
  monitoringNamespace?: string;
}

export interface DatabaseBackupsArgs extends BackupJobSettings {
  /** Name of the stack: the bucket's name and the prefix <stack>/<database>/ of every backup. */
  stack: string;
  /** Environment of the stack: production protects the bucket and key and locks objects in compliance mode. */
  environment: Environment;
  /** Region of the AWS provider the component is given (the bucket's region). */
  region: string;
  /** ARN of the EKS cluster's IAM OIDC provider: the jobs reach S3 and KMS through an IRSA role. */
  oidcProviderArn: string;
  /** The databases to back up. */
  databases: BackedUpDatabase[];
  /** The off-site replica: another region and an AWS provider for it (same account). Default: none. */
  replica?: BackupReplica;
}

/** The documented defaults, which are Pulumi.yaml's for the platform's own stacks. */
export const DATABASE_BACKUPS_DEFAULTS = {
  namespace: "backups",
  retention: "30d",
  keepLast: 7,
  recoveryTimeObjective: "4h",
  storageClass: "gp3",
  schedule: "0 2 * * *",
  drillSchedule: "0 5 * * 0",
  image: "ghcr.io/example/platform-pg-backup:15.18-1",
  monitoringNamespace: "monitoring",
} as const;

const stackSchema = StackSettingsSchema.shape;
const d = DATABASE_BACKUPS_DEFAULTS;
const backup = DatabaseSchema.shape.backup.shape;

/** BackedUpDatabase, checked with the stack schema's database entry. */
export const BackedUpDatabaseSchema = z.strictObject({ ...postgresConnectionShape, drillTables: backup.drillTables.min(1, { error: "must name at least one table (schema.table): the weekly restore drill checks its rows" }), drillMinRows: backup.drillMinRows, pointInTimeRecovery: backup.pointInTimeRecovery, dumpVolumeSize: backup.dumpVolumeSize, restoreVolumeSize: backup.restoreVolumeSize, runDeadline: backup.runDeadline });

/** The stack a backup belongs to, and the settings DatabaseBackups and PostgresBackup share, with their defaults. */
export const backupSettingsShape = {
  stack: z.string().regex(/^[a-z0-9][a-z0-9-]{0,29}$/, { error: "must be a stack name of lower-case letters, digits and '-' (at most 30)" }),
  environment: stackSchema.environment,
  namespace: stackSchema.backupNamespace.default(d.namespace),
  retention: stackSchema.backupRetention.default(d.retention),
  keepLast: stackSchema.backupKeepLast.default(d.keepLast),
  recoveryTimeObjective: stackSchema.recoveryTimeObjective.default(d.recoveryTimeObjective),
  storageClass: stackSchema.storageClass.default(d.storageClass),
  schedule: stackSchema.backupSchedule.default(d.schedule),
  drillSchedule: stackSchema.restoreDrillSchedule.default(d.drillSchedule),
  image: stackSchema.backupImage.default(d.image),
  monitoringNamespace: stackSchema.monitoringNamespace.default(d.monitoringNamespace),
};

// A provider's package is in no public type of the SDK; its resource option maps are keyed by getPackage().
const isAwsProvider = (p: unknown) => pulumi.ProviderResource.isInstance(p) && (p as unknown as { getPackage(): string }).getPackage() === "aws";

const DatabaseBackupsArgsSchema = z.strictObject({
  ...backupSettingsShape,
  region: z.string().regex(AWS_REGION, { error: "must be an AWS region such as eu-west-1" }),
  oidcProviderArn: stackSchema.oidcProviderArn.refine((v) => v !== "", { error: "is required (the backup jobs reach S3 through an IRSA role)" }),
  databases: z.array(BackedUpDatabaseSchema).min(1, { error: "must name at least one database" }),
  replica: z.strictObject({ region: z.string(), provider: z.custom<aws.Provider>(isAwsProvider, { error: "must be an aws.Provider" }) }).optional(),
});

/**
 * Backups of PostgreSQL databases that survive the loss of the cluster and of a region: a KMS-encrypted,
 * versioned, Object-Locked S3 bucket (and optionally its off-site replica), an IRSA role that may only write
 * the stack's prefix, and per database a daily pg_dump CronJob with keep-last retention and a weekly restore
 * drill, both pushing metrics to the Pushgateway. Pass the AWS and Kubernetes providers explicitly
 * (`{ providers: { aws, kubernetes } }`). PostgresBackup adds a database to its bucket from elsewhere.
 */
export class DatabaseBackups extends pulumi.ComponentResource {
  /** Name of the backup bucket. */
  public readonly bucketName: pulumi.Output<string>;
  /** Name of the off-site replica's bucket, with a replica. */
  public readonly replicaBucketName?: pulumi.Output<string>;
  /** ARN of the KMS key that encrypts the backups (PostgresBackup's kmsKeyArn). */
  public readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = parseArgs("DatabaseBackups", name, DatabaseBackupsArgsSchema, args, (p) =>
      p.replica && p.replica.region === p.region ? [{ path: "replica.region", reason: `must differ from region (${p.region}): a replica in the same region survives nothing the bucket does not` }] : [],
    );
    super("platform:index:DatabaseBackups", name, {}, opts);
    const backups = new InternalDatabaseBackups(
      name,
      {
        ...a,
        pushgatewayUrl: monitoringUrls(a.monitoringNamespace).pushgateway,
        databases: a.databases.map(({ passwordSecret, drillTables, drillMinRows, pointInTimeRecovery, dumpVolumeSize, restoreVolumeSize, runDeadline, ...rest }) => ({
          ...rest,
          password: { existingSecret: passwordSecret },
          backup: { enabled: true, drillTables, drillMinRows, dumpVolumeSize, restoreVolumeSize, runDeadline, ...(pointInTimeRecovery ? { pointInTimeRecovery } : {}) },
          exporter: false,
        })),
      },
      { parent: this },
    );
    this.bucketName = backups.bucket.bucket.bucket;
    this.replicaBucketName = backups.bucket.replica?.bucket.bucket;
    this.kmsKeyArn = backups.bucket.key.arn;
    this.registerOutputs({ bucketName: this.bucketName, replicaBucketName: this.replicaBucketName, kmsKeyArn: this.kmsKeyArn });
  }
}
