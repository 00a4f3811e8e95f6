import * as aws from "../core/aws";
import * as pulumi from "@pulumi/pulumi";
import { irreplaceable } from "../core/data-protection";
import type { ObjectLockMode } from "./bucket-settings";
import { lockedBackupBucket } from "./locked-bucket";

export interface BackupReplicaArgs {
  readonly stack: string;
  readonly environment: string;
  /** Region of the replica; its resources are created through the `aws` provider passed in the options. */
  readonly region: string;
  readonly objectLockMode: ObjectLockMode;
  /** Object Lock default retention, the same as the primary bucket's (whole days). */
  readonly retentionDays: number;
}

/**
 * The off-site copy of the backup bucket in a second region: its own KMS key, a private, versioned, TLS-only
 * bucket under the same Object Lock as the primary, which accepts uploads only with that key. Create it with
 * `providers: { aws: <provider for the replica region> }`; the replication itself is the primary's side.
 */
export class BackupReplica extends pulumi.ComponentResource {
  public readonly bucket: aws.s3.Bucket;
  public readonly key: aws.kms.Key;

  constructor(name: string, args: BackupReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:BackupReplica", name, {}, opts);
    const child = { parent: this };
    // Like the primary's: the key and the bucket outlive the stack together, either one alone is worthless.
    const kept = { ...child, ...irreplaceable(args.environment, true) };
    const tags = { environment: args.environment, component: "database-backups", role: "offsite-replica" };
    // A key of the replica's own region: a regional outage or a lost key in the primary region leaves it usable.
    this.key = new aws.kms.Key(
      `${name}-key`,
      { description: `Database backups, off-site replica in ${args.region} (${args.stack})`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
      kept,
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/platform-${args.stack}-backups-replica`, targetKeyId: this.key.keyId }, child);
    this.bucket = lockedBackupBucket(
      name,
      { stack: args.stack, environment: args.environment, tags, key: this.key, objectLockMode: args.objectLockMode, retentionDays: args.retentionDays },
      this,
      kept,
    ).bucket;
    this.registerOutputs({ bucket: this.bucket.bucket, key: this.key.arn });
  }
}
