import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole } from "../core/irsa-role";
import { admissionWebhookPolicy } from "../core/webhook-network-policy";
import { helmChartArgs } from "../monitoring/charts";
import { EXTERNAL_SECRETS_SERVICE_ACCOUNT, EXTERNAL_SECRETS_WEBHOOK_PODS, externalSecretsValues, reloaderPodMonitor, reloaderValues } from "./external-secrets-values";
import { secretsManagerReadPolicy } from "./secrets-manager-policy";
import { clusterSecretStoreManifest } from "./secret-store";

export interface ExternalSecretsArgs {
  readonly environment: "staging" | "production";
  readonly namespace: string;
  readonly awsRegion: string;
  readonly awsAccountId: string;
  readonly oidcProviderArn: string;
  /** The only Secrets Manager path the stack may read. */
  readonly secretsManagerPrefix: string;
  /** Namespaces whose ExternalSecrets may use the store. */
  readonly appNamespaces: readonly string[];
}

/**
 * The objects ExternalSecrets writes itself besides the charts and the IRSA role: the stack's
 * ClusterSecretStore, the NetworkPolicy that lets the API server reach ESO's webhook, and Reloader's PodMonitor.
 */
export function externalSecretsManifests(args: ExternalSecretsArgs) {
  return {
    store: clusterSecretStoreManifest({ environment: args.environment, region: args.awsRegion, namespaces: args.appNamespaces }),
    webhookPolicy: admissionWebhookPolicy({ environment: args.environment, namespace: args.namespace, name: "allow-webhook-from-api-server", pods: EXTERNAL_SECRETS_WEBHOOK_PODS, port: 10250 }),
    reloaderMonitor: reloaderPodMonitor({ environment: args.environment, namespace: args.namespace }),
  };
}

/**
 * Secrets from AWS Secrets Manager: the External Secrets Operator (IRSA, the stack's prefix only), the
 * stack's ClusterSecretStore, and Reloader, which rolls the pods of a Deployment when a Secret ESO
 * synced for it changes. helm.v3.Release for ESO (CRDs and a validating webhook); helm.v4.Chart for
 * Reloader (one stateless Deployment).
 */
export class ExternalSecrets extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly store: k8s.apiextensions.CustomResource;
  public readonly reloader: k8s.helm.v4.Chart;

  constructor(name: string, args: ExternalSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:secrets:ExternalSecrets", name, {}, opts);
    const role = new IrsaRole(
      `${name}-secrets-manager`,
      {
        description: `External Secrets Operator (${args.environment}) reads Secrets Manager secrets under ${args.secretsManagerPrefix}/`,
        environment: args.environment,
        component: "external-secrets",
        oidcProviderArn: args.oidcProviderArn,
        namespace: args.namespace,
        serviceAccount: EXTERNAL_SECRETS_SERVICE_ACCOUNT,
        policy: secretsManagerReadPolicy(args.awsRegion, args.awsAccountId, args.secretsManagerPrefix),
      },
      { parent: this },
    );
    const m = externalSecretsManifests(args);
    const values = role.arn.apply((roleArn) => externalSecretsValues({ environment: args.environment, roleArn }));
    this.release = new k8s.helm.v3.Release(
      `${name}-release`,
      { ...helmChartArgs("externalSecrets", args.namespace, values), atomic: true, cleanupOnFail: true, timeout: 600, maxHistory: 10 },
      { parent: this },
    );
    this.store = new k8s.apiextensions.CustomResource(`${name}-store`, m.store, { parent: this, dependsOn: [this.release] });
    this.reloader = new k8s.helm.v4.Chart(`${name}-reloader`, helmChartArgs("reloader", args.namespace, reloaderValues({ environment: args.environment })), { parent: this });
    new k8s.networking.v1.NetworkPolicy(`${name}-webhook-from-api-server`, m.webhookPolicy, { parent: this });
    // Once the chart is applied, so its first scrape finds the pods it selects.
    new k8s.apiextensions.CustomResource(`${name}-reloader-monitor`, m.reloaderMonitor, { parent: this, dependsOn: [this.reloader] });
    this.registerOutputs({ release: this.release.status });
  }
}
