import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { durationSeconds } from "../../stacks/formats";
import { serviceAccountTrustPolicy } from "../core/aws-policies";
import { irreplaceable } from "../core/data-protection";
import { backupAccessPolicy, backupBucketPolicy, backupPrefix } from "./backup-policies";

export interface BackupBucketArgs {
  readonly stack: string;
  readonly environment: string;
  /** How long backups are kept (whole days). */
  readonly retention: string;
  readonly oidcProviderArn: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Database entry names; each gets a rule that clears its abandoned temporary uploads. */
  readonly databases: readonly string[];
}

/**
 * The stack's backup bucket and the identity that may use it: a KMS key created here, a private,
 * versioned, TLS-only bucket that refuses uploads not encrypted with that key, a lifecycle that expires
 * backups after the retention (old versions a day later), and an IRSA role for the backup jobs.
 */
export class BackupBucket extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly key: aws.kms.Key;
  public readonly role: aws.iam.Role;

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
    this.bucket = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false, tags }, kept);
    const bucket = this.bucket.id;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }] },
      child,
    );
    new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket,
        rules: [
          {
            id: "expire-backups-after-retention",
            status: "Enabled",
            filter: { prefix: `${args.stack}/` },
            expiration: { days: durationSeconds(args.retention)! / 86400 },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
          // A job killed mid-run (deadline, node loss) cannot delete its temporary upload; these rules do.
          ...args.databases.map((db) => ({
            id: `expire-incoming-${db}`,
            status: "Enabled",
            filter: { prefix: `${backupPrefix(args.stack, db)}/.incoming/` },
            expiration: { days: 1 },
          })),
        ],
      },
      child,
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      { bucket, policy: pulumi.all([this.bucket.arn, this.key.arn]).apply(([b, k]) => JSON.stringify(backupBucketPolicy(b, k))) },
      child,
    );
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
    this.registerOutputs({ bucket: this.bucket.bucket, role: this.role.arn });
  }
}
