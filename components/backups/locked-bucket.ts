import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { backupBucketPolicy } from "./backup-policies";
import { backupLifecycleRules, type ObjectLockMode, objectLockConfiguration } from "./bucket-settings";

export interface LockedBucketArgs {
  readonly stack: string;
  readonly environment: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The bucket's own KMS key: default encryption, and the only key the bucket policy accepts uploads with. */
  readonly key: aws.kms.Key;
  readonly objectLockMode: ObjectLockMode;
  /** Object Lock default retention (whole days). */
  readonly retentionDays: number;
}

/**
 * A bucket that holds backups, the primary's or the off-site replica's: private, encrypted with its own key,
 * versioned, under S3 Object Lock for the retention, a lifecycle without age-based expiry, and TLS-only
 * uploads with that key. The bucket is `<name>-bucket`, its settings `<name>-<aspect>`, all children of
 * `parent`; the bucket itself gets `kept` (protect, retainOnDelete), since its settings go with it. The
 * versioning is returned for what must wait for it (S3 refuses a replication before both sides are versioned).
 */
export function lockedBackupBucket(
  name: string,
  args: LockedBucketArgs,
  parent: pulumi.Resource,
  kept: pulumi.CustomResourceOptions,
): { bucket: aws.s3.Bucket; versioning: aws.s3.BucketVersioning } {
  const child = { parent };
  const bucketResource = new aws.s3.Bucket(`${name}-bucket`, { forceDestroy: false, tags: { ...args.tags } }, { ...kept, parent });
  const bucket = bucketResource.id;
  new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    child,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.key.arn }, bucketKeyEnabled: true }] },
    child,
  );
  const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket, versioningConfiguration: { status: "Enabled" } }, child);
  // S3 refuses Object Lock and lifecycle rules on noncurrent versions before versioning is on.
  new aws.s3.BucketObjectLockConfiguration(`${name}-object-lock`, { bucket, ...objectLockConfiguration(args.objectLockMode, args.retentionDays) }, { parent, dependsOn: [versioning] });
  new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket, rules: backupLifecycleRules(args.stack) }, { parent, dependsOn: [versioning] });
  new aws.s3.BucketPolicy(
    `${name}-policy`,
    { bucket, policy: pulumi.all([bucketResource.arn, args.key.arn]).apply(([b, k]) => JSON.stringify(backupBucketPolicy(b, k))) },
    child,
  );
  return { bucket: bucketResource, versioning };
}
