import type { PolicyDocument } from "../core/aws-policies";

/**
 * ARN pattern of every secret under a Secrets Manager path. The trailing `/*` matches names under the path
 * and the six random characters AWS appends to every secret ARN, and nothing beside the path.
 */
export function secretsUnderPrefixArn(region: string, accountId: string, prefix: string): string {
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${prefix}/*`;
}

/**
 * The External Secrets Operator reads the stack's secrets and nothing else: the value and its metadata
 * (DescribeSecret tells it a version changed), under the stack's prefix only. No list, no write, no other
 * region or account. Secrets encrypted with the account's default `aws/secretsmanager` key need no KMS grant.
 */
export function secretsManagerReadPolicy(region: string, accountId: string, prefix: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadStackSecrets",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: [secretsUnderPrefixArn(region, accountId, prefix)],
      },
    ],
  };
}
