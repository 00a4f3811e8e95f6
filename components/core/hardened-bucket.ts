import * as aws from "./aws";
import type * as pulumi from "@pulumi/pulumi";
import { durationSeconds } from "../../stacks/formats";
import { tlsOnlyBucketPolicy } from "./aws-policies";

/** Days after which a store's bucket expires objects: a week beyond the store's own retention, so the store always deletes first. */
export function expirationBeyondRetention(retention: string): number {
  return durationSeconds(retention)! / 86400 + 7;
}

export interface HardenedBucketArgs {
  readonly tags: Readonly<Record<string, string>>;
  /** Retention of the store that owns the bucket (whole days); the lifecycle expires objects a week later. */
  readonly retention: string;
  /** Id of the lifecycle rule, naming the retention it follows, e.g. expire-after-log-retention. */
  readonly expirationRuleId: string;
  /**
   * Key prefixes, by name, holding the data the store's retention deletes: only they expire, each by its own rule
   * (`<expirationRuleId>-<name>`), so what the store keeps for good elsewhere in the bucket is never expired.
   * @default the whole bucket
   */
  readonly expiringPrefixes?: Readonly<Record<string, string>>;
}

/** Days after which old versions and abandoned multipart uploads go: long enough to undo a mistaken delete. */
const HOUSEKEEPING_DAYS = 7;

/**
 * The bucket's lifecycle rules: the expiration a week beyond retention (over the whole bucket, or each of
 * `expiringPrefixes`), and old versions and abandoned multipart uploads gone after seven days everywhere.
 */
export function bucketLifecycleRules(args: HardenedBucketArgs) {
  const expiration = { days: expirationBeyondRetention(args.retention) };
  const housekeeping = {
    noncurrentVersionExpiration: { noncurrentDays: HOUSEKEEPING_DAYS },
    abortIncompleteMultipartUpload: { daysAfterInitiation: HOUSEKEEPING_DAYS },
  };
  if (args.expiringPrefixes === undefined) return [{ id: args.expirationRuleId, status: "Enabled", filter: {}, expiration, ...housekeeping }];
  return [
    ...Object.entries(args.expiringPrefixes).map(([name, prefix]) => ({ id: `${args.expirationRuleId}-${name}`, status: "Enabled", filter: { prefix }, expiration })),
    { id: "expire-old-versions", status: "Enabled", filter: {}, ...housekeeping },
  ];
}

/**
 * The bucket of a store that deletes its own data (Loki's chunks, Tempo's blocks): public access blocked,
 * encrypted by default with KMS (the account's aws/s3 key), versioned, TLS only, and a lifecycle that
 * expires what the store left behind a week after its retention (old versions and abandoned multipart
 * uploads after seven days; bucketLifecycleRules). The bucket is `name`, the other resources `name-<aspect>`. `opts` goes to
 * every one of them, so a provider, protect or retainOnDelete applies to the bucket as a whole.
 */
export function hardenedBucket(name: string, args: HardenedBucketArgs, opts: pulumi.CustomResourceOptions): aws.s3.Bucket {
  const bucket = new aws.s3.Bucket(name, { forceDestroy: false, tags: { ...args.tags } }, opts);
  new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }] },
    opts,
  );
  new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    { bucket: bucket.id, rules: bucketLifecycleRules(args) },
    opts,
  );
  new aws.s3.BucketPolicy(`${name}-tls-only`, { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) }, opts);
  return bucket;
}
