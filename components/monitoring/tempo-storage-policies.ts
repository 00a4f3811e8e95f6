import type { PolicyDocument } from "../core/aws-policies";

/**
 * What Tempo needs on its block bucket and nothing more: list it, read, write and delete its objects,
 * and the object tagging its S3 client reads and writes with them (Tempo's documented S3 permissions).
 */
export function tempoBucketAccessPolicy(bucketArn: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ListBlocks", Effect: "Allow", Action: ["s3:ListBucket"], Resource: [bucketArn] },
      {
        Sid: "ReadWriteBlocks",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObjectTagging", "s3:PutObjectTagging"],
        Resource: [`${bucketArn}/*`],
      },
    ],
  };
}
