/**
 * Settings of the backup bucket and its off-site replica as plain data: Object Lock, lifecycle and
 * replication rules, in the AWS provider's input shapes. No Pulumi here; backup-bucket.ts and
 * backup-replica.ts create the resources from them.
 */

export type ObjectLockMode = "COMPLIANCE" | "GOVERNANCE";

/**
 * Production locks in compliance mode: nobody, the account root included, can delete a locked version or
 * shorten its retention. Staging uses governance mode, which an administrator with
 * s3:BypassGovernanceRetention can lift, so a staging bucket can still be emptied and torn down.
 */
export function objectLockMode(environment: string): ObjectLockMode {
  return environment === "production" ? "COMPLIANCE" : "GOVERNANCE";
}

/**
 * Default retention for every new object version, as long as backups are kept. Set on an existing versioned
 * bucket through BucketObjectLockConfiguration, which enables Object Lock in place; the bucket's own
 * objectLockEnabled would replace the bucket.
 */
export function objectLockConfiguration(mode: ObjectLockMode, retentionDays: number) {
  return { objectLockEnabled: "Enabled", rule: { defaultRetention: { mode, days: retentionDays } } };
}

/**
 * No rule expires a current backup by age: pg-backup.sh deletes backups past the retention only after a
 * successful run and always keeps the newest complete ones, so backups that fail for longer than the
 * retention never take the last good one with them. A delete (the job's, or anyone's) only adds a delete
 * marker; the rule removes the hidden version a day later, which S3 refuses while its Object Lock retention
 * lasts. Delete markers with nothing behind them and incomplete multipart uploads of interrupted runs go too.
 */
export function backupLifecycleRules(stack: string) {
  return [
    {
      id: "remove-deleted-backups",
      status: "Enabled",
      filter: { prefix: `${stack}/` },
      noncurrentVersionExpiration: { noncurrentDays: 1 },
      expiration: { expiredObjectDeleteMarker: true },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
  ];
}

/**
 * Replicates every backup of the stack to the replica bucket, encrypted there with the replica's own key.
 * Delete markers replicate too, so retention runs in both places; locked versions survive in both.
 * Replication metrics report objects that have not replicated after 15 minutes. The ARNs may be unresolved
 * values, so the rule's shape stays known during a preview that creates the replica.
 */
export function replicationRule<Arn>(input: { readonly stack: string; readonly replicaBucketArn: Arn; readonly replicaKeyArn: Arn }) {
  return {
    id: "offsite-replica",
    status: "Enabled",
    priority: 1,
    filter: { prefix: `${input.stack}/` },
    deleteMarkerReplication: { status: "Enabled" },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: input.replicaBucketArn,
      storageClass: "STANDARD_IA",
      encryptionConfiguration: { replicaKmsKeyId: input.replicaKeyArn },
      metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
    },
  };
}
