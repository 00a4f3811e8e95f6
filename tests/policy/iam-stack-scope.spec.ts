import { expect } from "chai";
import { dns01ChallengePolicy } from "../../components/certificates/dns01-policy";
import { externalDnsPolicy } from "../../components/dns/external-dns-policy";
import { secretsManagerReadPolicy } from "../../components/secrets/secrets-manager-policy";
import { loadPackConfig } from "../../policy/offline";
import { type FixtureResource, messagesOf } from "./fixtures";

const POLICY = "aws-iam-stack-scope";
const ZONE = "Z01234567PRODEXAMPLE";
const SECRETS = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform/production/*";
const CONFIG = { [POLICY]: { hostedZoneIds: [ZONE], secretsManagerArns: [SECRETS] } };

const rolePolicy = (name: string, document: unknown): FixtureResource => ({ type: "aws:iam/rolePolicy:RolePolicy", name, inputs: { role: "r", policy: JSON.stringify(document) } });
const statement = (Sid: string, Action: string[], Resource: string[]) => ({ Version: "2012-10-17", Statement: [{ Sid, Effect: "Allow", Action, Resource }] });

describe("policy aws-iam-stack-scope", () => {
  it("passes the platform's three grants exactly as the builders make them", async () => {
    const resources = [
      rolePolicy("dns01", dns01ChallengePolicy(ZONE)),
      rolePolicy("external-dns", externalDnsPolicy(ZONE)),
      rolePolicy("eso", secretsManagerReadPolicy("eu-west-1", "123456789012", "platform/production")),
    ];
    expect(await messagesOf(POLICY, resources, CONFIG)).to.deep.equal([]);
  });

  it("fails every widening: another zone, every zone, record changes on *, writes, another prefix, another account", async () => {
    const resources = [
      rolePolicy("other-zone", statement("Z", ["route53:ChangeResourceRecordSets"], ["arn:aws:route53:::hostedzone/ZOTHER"])),
      rolePolicy("all-zones", statement("A", ["route53:ChangeResourceRecordSets"], ["arn:aws:route53:::hostedzone/*"])),
      rolePolicy("star", statement("S", ["route53:*"], ["*"])),
      rolePolicy("list-zone-records-everywhere", statement("L", ["route53:ListResourceRecordSets"], ["*"])),
      rolePolicy("write", statement("W", ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"], [SECRETS])),
      rolePolicy("wide-prefix", statement("P", ["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"])),
      rolePolicy("other-account", statement("O", ["secretsmanager:GetSecretValue"], ["arn:aws:secretsmanager:eu-west-1:210987654321:secret:platform/production/*"])),
    ];
    const zone = `arn:aws:route53:::hostedzone/${ZONE}`;
    expect(await messagesOf(POLICY, resources, CONFIG)).to.deep.equal([
      `other-zone: policy statement "Z" allows route53:ChangeResourceRecordSets on "arn:aws:route53:::hostedzone/ZOTHER"; this stack may name ${zone} only`,
      `all-zones: policy statement "A" allows route53:ChangeResourceRecordSets on "arn:aws:route53:::hostedzone/*"; this stack may name ${zone} only`,
      `star: policy statement "S" allows route53:* on "*"; this stack may name ${zone} only`,
      `list-zone-records-everywhere: policy statement "L" allows route53:ListResourceRecordSets on "*"; this stack may name ${zone} only`,
      `write: policy statement "W" allows secretsmanager:PutSecretValue; Secrets Manager grants are read-only (secretsmanager:GetSecretValue, secretsmanager:DescribeSecret)`,
      `wide-prefix: policy statement "P" reads Secrets Manager on "arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"; this stack may read ${SECRETS} only`,
      `other-account: policy statement "O" reads Secrets Manager on "arn:aws:secretsmanager:eu-west-1:210987654321:secret:platform/production/*"; this stack may read ${SECRETS} only`,
    ]);
  });

  it("without config, any Route 53 record grant or Secrets Manager read is a violation", async () => {
    const messages = await messagesOf(POLICY, [rolePolicy("dns01", dns01ChallengePolicy(ZONE))]);
    expect(messages).to.deep.equal([
      `dns01: policy statement "Dns01ChallengeRecords" allows route53:ChangeResourceRecordSets on "arn:aws:route53:::hostedzone/${ZONE}"; this stack may name no hosted zone (hostedZoneIds is empty) only`,
      `dns01: policy statement "ReadZoneRecords" allows route53:ListResourceRecordSets on "arn:aws:route53:::hostedzone/${ZONE}"; this stack may name no hosted zone (hostedZoneIds is empty) only`,
    ]);
  });

  for (const [stack, zone, account] of [["staging", "Z07654321STAGINGEXAMPLE", "210987654321"], ["production", ZONE, "123456789012"]] as const) {
    it(`${stack}: the pack config names exactly the stack's zone and secret prefix, and is mandatory`, () => {
      const config = loadPackConfig(stack) as Record<string, any>;
      expect(config[POLICY]).to.deep.equal({ hostedZoneIds: [zone], secretsManagerArns: [`arn:aws:secretsmanager:eu-west-1:${account}:secret:platform/${stack}/*`] });
    });
  }
});
