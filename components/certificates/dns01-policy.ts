import type { PolicyDocument } from "../core/aws-policies";

/** ARN of a Route 53 hosted zone (Route 53 is global: no region, no account in its ARNs). */
export const hostedZoneArn = (hostedZoneId: string) => `arn:aws:route53:::hostedzone/${hostedZoneId}`;

/**
 * What cert-manager's DNS-01 solver needs, and nothing more: create and delete `_acme-challenge` TXT records
 * in the stack's own zone, read that zone's records, and follow the change it made (GetChange has no
 * resource-level scope beyond change/*). The zone id is given to the solver, so it never lists zones.
 */
export function dns01ChallengePolicy(hostedZoneId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Dns01ChallengeRecords",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: [hostedZoneArn(hostedZoneId)],
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
          "ForAllValues:StringLike": { "route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_acme-challenge.*"] },
        },
      },
      { Sid: "ReadZoneRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets"], Resource: [hostedZoneArn(hostedZoneId)] },
      { Sid: "FollowChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: ["arn:aws:route53:::change/*"] },
    ],
  };
}
