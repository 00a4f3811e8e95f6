import { durationSeconds } from "../../stacks/formats";
import type { PolicyDocument } from "../core/aws-policies";

/** Loki's chunk bucket: its lifecycle and the access its ServiceAccount needs. */

/** Days after which the bucket's lifecycle expires objects: a week beyond log retention, so the compactor always deletes first. */
export function lokiBucketExpirationDays(logRetention: string): number {
  return durationSeconds(logRetention)! / 86400 + 7;
}

/** What Loki needs on its bucket and nothing more: list it, and read, write and delete its objects. */
export function lokiBucketAccessPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListChunks", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
      { Sid: "ReadWriteChunks", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${bucketArn}/*`] },
    ],
  };
}
