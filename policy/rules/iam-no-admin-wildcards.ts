import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isRecord, list, str } from "./values";

/** Type token → where its policy documents are: a property, or Role's inline policies. */
const DOCUMENT_PROPERTIES: Readonly<Record<string, string>> = {
  "aws:iam/policy:Policy": "policy",
  "aws:iam/rolePolicy:RolePolicy": "policy",
  "aws:iam/userPolicy:UserPolicy": "policy",
  "aws:iam/groupPolicy:GroupPolicy": "policy",
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
};

const ADMIN_ACTIONS = ["*", "*:*"];

function strings(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** Statements of a policy document given as JSON text (what aws.iam.getPolicyDocument and JSON.stringify give) or an object. */
function statements(document: unknown): Record<string, unknown>[] | "invalid" {
  let parsed = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return "invalid";
    }
  }
  if (!isRecord(parsed) || parsed.Statement === undefined) return "invalid";
  const statement = parsed.Statement;
  return (Array.isArray(statement) ? statement : [statement]).filter(isRecord);
}

/**
 * `Allow * on *` is administrator access: one leaked credential or SSRF in the workload owns the account.
 * Grants name their actions and ARNs; the AdministratorAccess managed policy is the same grant by name.
 */
export const iamNoAdminWildcards: ResourceValidationPolicy = {
  name: "iam-no-admin-wildcards",
  description: 'IAM and bucket policies never Allow Action "*" on Resource "*".',
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    const documents: [string, unknown][] = [];
    const property = DOCUMENT_PROPERTIES[args.type];
    if (property) documents.push([property, args.props[property]]);
    if (args.type === "aws:iam/role:Role") {
      list(args.props.inlinePolicies)
        .filter(isRecord)
        .forEach((p, i) => documents.push([`inlinePolicies[${i}].policy`, p.policy]));
      for (const arn of strings(args.props.managedPolicyArns)) {
        if (arn.endsWith(":policy/AdministratorAccess")) {
          reportViolation(`${args.name}: managedPolicyArns attaches ${arn}; grant the specific actions on the specific ARNs`);
        }
      }
    }
    if (args.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") {
      const arn = str(args.props.policyArn) ?? "";
      if (arn.endsWith(":policy/AdministratorAccess")) {
        reportViolation(`${args.name}: policyArn attaches ${arn}; grant the specific actions on the specific ARNs`);
      }
    }
    for (const [path, document] of documents) {
      if (document === undefined) continue;
      const found = statements(document);
      if (found === "invalid") {
        reportViolation(`${args.name}: ${path} is not a JSON policy document with a Statement`);
        continue;
      }
      found.forEach((statement, i) => {
        const admin =
          statement.Effect === "Allow" &&
          strings(statement.Action).some((a) => ADMIN_ACTIONS.includes(a)) &&
          strings(statement.Resource).includes("*");
        if (admin) {
          const label = str(statement.Sid) ? `"${str(statement.Sid)}"` : `#${i}`;
          reportViolation(`${args.name}: ${path} statement ${label} allows Action "*" on Resource "*"; grant the specific actions on the specific ARNs`);
        }
      });
    }
  },
};
