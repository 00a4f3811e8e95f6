import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole } from "../core/irsa-role";
import { admissionWebhookPolicy } from "../core/webhook-network-policy";
import { helmChartArgs } from "../monitoring/charts";
import { CERT_MANAGER_SERVICE_ACCOUNT, CERT_MANAGER_WEBHOOK_PODS, certManagerValues } from "./cert-manager-values";
import { clusterIssuerManifest, type IssuerKind } from "./cluster-issuer";
import { dns01ChallengePolicy } from "./dns01-policy";

export interface CertManagerArgs {
  readonly environment: "staging" | "production";
  readonly namespace: string;
  readonly domain: string;
  readonly hostedZoneId: string;
  readonly awsRegion: string;
  readonly oidcProviderArn: string;
  /** Let's Encrypt endpoint of the stack's ClusterIssuer. */
  readonly issuer: IssuerKind;
  readonly acmeEmail: string;
}

/**
 * The objects CertManager writes itself besides the chart and the IRSA role: the stack's ClusterIssuer and the
 * NetworkPolicy that lets the API server reach the admission webhook.
 */
export function certManagerManifests(args: CertManagerArgs) {
  return {
    clusterIssuer: clusterIssuerManifest({ environment: args.environment, kind: args.issuer, email: args.acmeEmail, domain: args.domain, hostedZoneId: args.hostedZoneId, region: args.awsRegion }),
    webhookPolicy: admissionWebhookPolicy({ environment: args.environment, namespace: args.namespace, name: "allow-webhook-from-api-server", pods: CERT_MANAGER_WEBHOOK_PODS, port: 10250 }),
  };
}

/**
 * cert-manager with the stack's ClusterIssuer (Let's Encrypt, DNS-01 on Route 53 through IRSA, the stack's
 * zone only). helm.v3.Release: the chart brings CRDs and an admission webhook that must be up before any
 * Certificate is applied, which Helm's wait and atomic rollback handle.
 */
export class CertManager extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly clusterIssuer: k8s.apiextensions.CustomResource;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:certificates:CertManager", name, {}, opts);
    const role = new IrsaRole(
      `${name}-dns01`,
      {
        description: `cert-manager (${args.environment}) answers DNS-01 challenges in hosted zone ${args.hostedZoneId}`,
        environment: args.environment,
        component: "cert-manager",
        oidcProviderArn: args.oidcProviderArn,
        namespace: args.namespace,
        serviceAccount: CERT_MANAGER_SERVICE_ACCOUNT,
        policy: dns01ChallengePolicy(args.hostedZoneId),
      },
      { parent: this },
    );
    const m = certManagerManifests(args);
    const values = role.arn.apply((roleArn) => certManagerValues({ environment: args.environment, namespace: args.namespace, roleArn }));
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      { ...helmChartArgs("certManager", args.namespace, values), atomic: true, cleanupOnFail: true, timeout: 600, maxHistory: 10 },
      { parent: this },
    );
    this.clusterIssuer = new k8s.apiextensions.CustomResource(`${name}-issuer`, m.clusterIssuer, { parent: this, dependsOn: [this.release] });
    new k8s.networking.v1.NetworkPolicy(`${name}-webhook-from-api-server`, m.webhookPolicy, { parent: this });
    this.registerOutputs({ release: this.release.status });
  }
}
