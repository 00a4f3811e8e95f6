import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, record, str } from "./values";

const DEFAULTS = { hostedZoneIds: [] as string[], secretsManagerArns: [] as string[] };

/** Policy documents of the IAM types the platform writes grants with. */
const DOCUMENT_TYPES = new Set(["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"]);

/** Route 53 actions that read or write records, with the only resources each may name. */
const ROUTE53_NO_RESOURCE_SCOPE: Readonly<Record<string, string>> = {
  // AWS offers these on one resource form only; neither changes a record.
  "route53:ListHostedZones": "*",
  "route53:GetChange": "arn:aws:route53:::change/*",
};
const SECRETS_READ_ACTIONS = new Set(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);

const strings = (value: unknown): string[] => (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");

function parse(document: unknown): Record<string, unknown>[] {
  let parsed = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [];
    }
  }
  const statement = record(parsed).Statement;
  return (Array.isArray(statement) ? statement : [statement]).filter(isRecord);
}

/**
 * The grants the way in needs stay inside the stack: Route 53 record actions name the stack's hosted zones
 * only (never `hostedzone/*` or `*`), and Secrets Manager access is read-only (GetSecretValue,
 * DescribeSecret) on the stack's secret ARN patterns only. Each stack lists its zones and ARN patterns in the
 * pack config, so widening a scope is a reviewed change of policy/config/<stack>.json.
 */
export const iamStackScope: ResourceValidationPolicy = {
  name: "aws-iam-stack-scope",
  description: "Route 53 record grants name the stack's hosted zones only; Secrets Manager grants read the stack's secret prefix only.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      hostedZoneIds: { type: "array", items: { type: "string" }, default: DEFAULTS.hostedZoneIds, description: "Route 53 hosted zone ids the stack may change records in." },
      secretsManagerArns: { type: "array", items: { type: "string" }, default: DEFAULTS.secretsManagerArns, description: "Secrets Manager ARN patterns (arn:aws:secretsmanager:<region>:<account>:secret:<prefix>/*) the stack may read." },
    },
  },
  validateResource: (args, reportViolation) => {
    if (!DOCUMENT_TYPES.has(args.type)) return;
    const config = { ...DEFAULTS, ...args.getConfig<Partial<typeof DEFAULTS>>() };
    const zones = new Set(config.hostedZoneIds.map((id) => `arn:aws:route53:::hostedzone/${id}`));
    parse(args.props.policy).forEach((statement, i) => {
      if (statement.Effect !== "Allow") return;
      const label = str(statement.Sid) ? `"${str(statement.Sid)}"` : `#${i}`;
      const where = `${args.name}: policy statement ${label}`;
      const actions = strings(statement.Action);
      const resources = strings(statement.Resource);
      if (statement.NotAction !== undefined || statement.NotResource !== undefined) {
        if ([...strings(statement.NotAction), ...actions].some((a) => /^(route53|secretsmanager|\*)/.test(a))) reportViolation(`${where} uses NotAction/NotResource; name the actions and resources it allows`);
        return;
      }
      const route53 = actions.filter((a) => a === "*" || a.startsWith("route53:"));
      for (const action of route53) {
        const only = ROUTE53_NO_RESOURCE_SCOPE[action];
        const outside = only !== undefined ? resources.filter((r) => r !== only) : resources.filter((r) => !zones.has(r));
        if (outside.length > 0) {
          const allowed = only !== undefined ? only : [...zones].join(", ") || "no hosted zone (hostedZoneIds is empty)";
          reportViolation(`${where} allows ${action} on ${outside.map((r) => JSON.stringify(r)).join(", ")}; this stack may name ${allowed} only`);
        }
      }
      const secrets = actions.filter((a) => a === "*" || a.startsWith("secretsmanager:"));
      const writes = secrets.filter((a) => !SECRETS_READ_ACTIONS.has(a));
      if (writes.length > 0) reportViolation(`${where} allows ${writes.join(", ")}; Secrets Manager grants are read-only (secretsmanager:GetSecretValue, secretsmanager:DescribeSecret)`);
      if (secrets.length > 0) {
        const outside = resources.filter((r) => !config.secretsManagerArns.includes(r));
        if (outside.length > 0) {
          reportViolation(`${where} reads Secrets Manager on ${outside.map((r) => JSON.stringify(r)).join(", ")}; this stack may read ${config.secretsManagerArns.join(", ") || "no secret (secretsManagerArns is empty)"} only`);
        }
      }
    });
  },
};
