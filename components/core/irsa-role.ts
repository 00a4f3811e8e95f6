import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { type PolicyDocument, serviceAccountTrustPolicy } from "./aws-policies";

export interface IrsaRoleArgs {
  /** Sentence in the role's description: what the ServiceAccount does with the grant. */
  readonly description: string;
  readonly environment: string;
  /** Tag `component` of the role. */
  readonly component: string;
  /** IAM OIDC provider of the cluster. */
  readonly oidcProviderArn: string;
  /** The one ServiceAccount (namespace and name) that may assume the role. */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** The role's only permissions, from a pure policy builder. */
  readonly policy: PolicyDocument;
}

/**
 * An IAM role exactly one Kubernetes ServiceAccount assumes through the cluster's OIDC provider (IRSA), with
 * one inline policy: no static keys anywhere, and the grant lives beside the trust that scopes it.
 */
export class IrsaRole extends pulumi.ComponentResource {
  public readonly role: aws.iam.Role;
  public readonly arn: pulumi.Output<string>;

  constructor(name: string, args: IrsaRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:core:IrsaRole", name, {}, opts);
    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        description: args.description,
        assumeRolePolicy: JSON.stringify(serviceAccountTrustPolicy(args.oidcProviderArn, args.namespace, args.serviceAccount)),
        tags: { environment: args.environment, component: args.component },
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(`${name}-policy`, { role: this.role.name, policy: JSON.stringify(args.policy) }, { parent: this });
    this.arn = this.role.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

/** The ServiceAccount annotation that makes EKS inject the role's web identity into the pods. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";
