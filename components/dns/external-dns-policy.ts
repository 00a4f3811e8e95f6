import type { PolicyDocument } from "../core/aws-policies";
import { hostedZoneArn } from "../certificates/dns01-policy";

/**
 * What external-dns needs in Route 53: change and read the records of the stack's own zone. ListHostedZones
 * is the one exception to that scope: AWS offers it on `*` only, and external-dns lists zones to match
 * them against --zone-id-filter; it reveals zone names and ids, never a record, and changes nothing.
 */
export function externalDnsPolicy(hostedZoneId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ChangeStackZoneRecords", Effect: "Allow", Action: ["route53:ChangeResourceRecordSets"], Resource: [hostedZoneArn(hostedZoneId)] },
      { Sid: "ReadStackZoneRecords", Effect: "Allow", Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResources"], Resource: [hostedZoneArn(hostedZoneId)] },
      { Sid: "ListZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: ["*"] },
    ],
  };
}
