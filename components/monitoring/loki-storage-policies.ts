import type { PolicyDocument } from "../core/aws-policies";

/** What Loki needs on its chunk bucket and nothing more: list it, and read, write and delete its objects. */
export function lokiBucketAccessPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListChunks", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
      { Sid: "ReadWriteChunks", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: [`${bucketArn}/*`] },
    ],
  };
}
