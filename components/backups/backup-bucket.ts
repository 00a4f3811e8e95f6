import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { durationSeconds } from "../../stacks/formats";
import { serviceAccountTrustPolicy } from "../core/aws-policies";
import { irreplaceable } from "../core/data-protection";
import { backupAccessPolicy, replicationRolePolicy, s3ReplicationTrustPolicy } from "./backup-policies";
import { BackupReplica } from "./backup-replica";
import { type ObjectLockMode, replicationRule } from "./bucket-settings";
import { lockedBackupBucket } from "./locked-bucket";

export interface BackupBucketArgs {
  readonly stack: string;
  readonly environment: string;
  /** The stack's own region (aws:region), where this bucket and its key live. */
  readonly region: string;
  /** How long backups are kept (whole days); also the Object Lock default retention. */
  readonly retention: string;
  readonly objectLockMode: ObjectLockMode;
  readonly oidcProviderArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /**
   * The off-site replica: a second region and the provider for it. Omit for none.
   * @default no replica
   */
  readonly replica?: { readonly region: string; readonly provider: aws.Provider };
}

/**
 * The stack's backup bucket and the identity that may use it: a KMS key created here, a private, versioned,
 * TLS-only bucket under S3 Object Lock (every version locked for the retention) that refuses uploads not
 * encrypted with that key, a lifecycle that removes deleted versions once their lock ends, an IRSA role for
 * the backup jobs, and, when a replica region is given, the replica and the replication to it.
 */
export class BackupBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly key: aws.kms.Key;
  public readonly role: aws.iam.Role;
  public readonly replica?: BackupReplica;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:BackupBucket", name, {}, opts);
    const child = { parent: this };
    const tags = { environment: args.environment, component: "database-backups" };
    // The key and the bucket outlive the stack together: either one alone is worthless.
    const kept = { ...child, ...irreplaceable(args.environment, true) };
    this.key = new aws.kms.Key(
      `${name}-key`,
      { description: `Database backups (${args.stack})`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
      kept,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/platform-${args.stack}-backups`, targetKeyId: this.key.keyId }, child);
    // Backups outlive a careless `pulumi destroy`: the bucket refuses to go while it holds objects.
    const retentionDays = durationSeconds(args.retention)! / 86400;
    const objectLockMode = args.objectLockMode;
    const locked = lockedBackupBucket(name, { stack: args.stack, environment: args.environment, tags, key: this.key, objectLockMode, retentionDays }, this, kept);
    this.bucket = locked.bucket;
    const bucket = this.bucket.id;
    const versioning = locked.versioning;
    this.role = new aws.iam.Role(
      `${name}-irsa`,
      {
        description: `Database backup and restore-drill jobs (${args.stack})`,
        assumeRolePolicy: JSON.stringify(serviceAccountTrustPolicy(args.oidcProviderArn, args.namespace, args.serviceAccount)),
        tags,
      },
      child,
    );
    new aws.iam.RolePolicy(
      `${name}-irsa-access`,
      { role: this.role.name, policy: pulumi.all([this.bucket.arn, this.key.arn]).apply(([b, k]) => JSON.stringify(backupAccessPolicy(b, k, args.stack))) },
      child,
    );
    if (args.replica) {
      this.replica = new BackupReplica(
        `${name}-replica`,
        { stack: args.stack, environment: args.environment, region: args.replica.region, objectLockMode: args.objectLockMode, retentionDays },
        { parent: this, providers: { aws: args.replica.provider } },
      );
      const replica = this.replica;
      const replicationRole = new aws.iam.Role(
        `${name}-replication`,
        { description: `S3 replication of the database backups to ${args.replica.region} (${args.stack})`, assumeRolePolicy: JSON.stringify(s3ReplicationTrustPolicy()), tags },
        child,
      );
      const replicaRegion = args.replica.region;
      const permissions = new aws.iam.RolePolicy(
        `${name}-replication-access`,
        {
          role: replicationRole.name,
          policy: pulumi
            .all([this.bucket.arn, this.key.arn, replica.bucket.arn, replica.key.arn])
            .apply(([b, k, rb, rk]) =>
              JSON.stringify(replicationRolePolicy({ bucketArn: b, keyArn: k, region: args.region }, { bucketArn: rb, keyArn: rk, region: replicaRegion }, args.stack)),
            ),
        },
        child,
      );
      new aws.s3.BucketReplicationConfig(
        `${name}-replication-config`,
        {
          bucket,
          role: replicationRole.arn,
          rules: [replicationRule({ stack: args.stack, replicaBucketArn: replica.bucket.arn, replicaKeyArn: replica.key.arn })],
        },
        // S3 refuses a replication configuration before both buckets are versioned.
        { parent: this, dependsOn: [versioning, replica, permissions] },
      );
    }
    this.registerOutputs({ bucket: this.bucket.bucket, role: this.role.arn, replicaBucket: this.replica?.bucket.bucket });
  }
}
