import { denyInsecureTransport, type PolicyDocument } from "../core/aws-policies";

/** Keys of one stack's backups: `<stack>/<database>/…`; everything the backup role may touch is under it. */
export function backupPrefix(stack: string, database: string): string {
  return `${stack}/${database}`;
}

/** What the jobs' credentials must never do to the bucket, whatever else is attached to their role. */
export const NEVER_FOR_BACKUP_JOBS = [
  "s3:DeleteObjectVersion",
  "s3:BypassGovernanceRetention",
  "s3:PutObjectRetention",
  "s3:PutObjectLegalHold",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketVersioning",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutReplicationConfiguration",
] as const;

/**
 * Least privilege for the backup and drill jobs: list, read and write only under the stack's prefix, and
 * use only the backup KMS key. The jobs may delete there too (an unconfirmed dump after a failed run, and
 * backups past the retention), but in the versioned, Object-Locked bucket a delete only adds a delete
 * marker. Destroying a version, loosening a lock, or changing versioning, lifecycle, replication or the
 * bucket policy is denied explicitly: an explicit Deny also wins over a policy attached to the role later,
 * and S3 implementations that let s3:DeleteObject delete versions unless s3:DeleteObjectVersion is denied
 * (MinIO) refuse it too.
 */
export function backupAccessPolicy(bucketArn: string, keyArn: string, stack: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListOwnPrefix", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": [`${stack}/*`] } } },
      { Sid: "ReadWriteOwnPrefix", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"], Resource: [`${bucketArn}/${stack}/*`] },
      { Sid: "HideOwnPrefixObjects", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${bucketArn}/${stack}/*`] },
      { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: [keyArn] },
      { Sid: "NeverDestroyBackups", Effect: "Deny", Action: [...NEVER_FOR_BACKUP_JOBS], Resource: [bucketArn, `${bucketArn}/*`] },
    ],
  };
}

/** Refuses plain-HTTP requests and uploads that are not encrypted with the backup key. */
export function backupBucketPolicy(bucketArn: string, keyArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(bucketArn),
      {
        Sid: "DenyUploadsWithoutTheBackupKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: [`${bucketArn}/*`],
        Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn } },
      },
    ],
  };
}

/** Trust policy of the replication role: only S3 itself assumes it. */
export function s3ReplicationTrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

/** What one side of a replication needs: its bucket, key and region. */
export interface ReplicationSide {
  readonly bucketArn: string;
  readonly keyArn: string;
  readonly region: string;
}

/**
 * The replication role's permissions (AWS's documented set for KMS-encrypted objects under Object Lock):
 * read versions, tags, retention and legal holds of the stack's objects in the source, replicate them and
 * their delete markers into the replica, decrypt with the source key and encrypt with the replica key,
 * each key only through S3 in its own region and for its own bucket. With S3 Bucket Keys the encryption
 * context is the bucket's ARN, without them the object's: both are allowed.
 */
export function replicationRolePolicy(source: ReplicationSide, replica: ReplicationSide, stack: string): PolicyDocument {
  const viaS3 = (side: ReplicationSide) => ({
    StringEquals: { "kms:ViaService": `s3.${side.region}.amazonaws.com` },
    StringLike: { "kms:EncryptionContext:aws:s3:arn": [side.bucketArn, `${side.bucketArn}/${stack}/*`] },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadReplicationConfiguration", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: [source.bucketArn] },
      {
        Sid: "ReadSourceVersions",
        Effect: "Allow",
        Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
        Resource: [`${source.bucketArn}/${stack}/*`],
      },
      { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"], Resource: [`${replica.bucketArn}/${stack}/*`] },
      { Sid: "DecryptWithSourceKey", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [source.keyArn], Condition: viaS3(source) },
      { Sid: "EncryptWithReplicaKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: [replica.keyArn], Condition: viaS3(replica) },
    ],
  };
}
