import { denyInsecureTransport, type PolicyDocument } from "../core/aws-policies";

/** Keys of one stack's backups: `<stack>/<database>/…`; everything the backup role may touch is under it. */
export function backupPrefix(stack: string, database: string): string {
  return `${stack}/${database}`;
}

/**
 * Least privilege for the backup and drill jobs: list, read and write only under the stack's prefix,
 * delete only the jobs' own temporary `.incoming/` uploads, and use only the backup KMS key. Backups
 * are never deleted by the jobs; the bucket lifecycle expires them.
 */
export function backupAccessPolicy(bucketArn: string, keyArn: string, stack: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListOwnPrefix", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn], Condition: { StringLike: { "s3:prefix": [`${stack}/*`] } } },
      { Sid: "ReadWriteOwnPrefix", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: [`${bucketArn}/${stack}/*`] },
      { Sid: "DeleteOwnIncomingUploads", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [`${bucketArn}/${stack}/*/.incoming/*`] },
      { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: [keyArn] },
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
