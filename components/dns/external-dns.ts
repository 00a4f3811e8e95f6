import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IrsaRole } from "../core/irsa-role";
import { helmChartArgs } from "../monitoring/charts";
import { externalDnsPolicy } from "./external-dns-policy";
import { EXTERNAL_DNS_SERVICE_ACCOUNT, externalDnsValues, type ExternalDnsValuesInput } from "./external-dns-values";

export interface ExternalDnsArgs extends Omit<ExternalDnsValuesInput, "roleArn"> {
  readonly environment: string;
  readonly namespace: string;
  readonly oidcProviderArn: string;
}

/**
 * external-dns under IRSA, limited to the stack's hosted zone. helm.v4.Chart: one stateless Deployment whose
 * objects Pulumi previews one by one. A single replica: external-dns has no leader election, and two
 * instances would race on the same records; a restart only delays a record by one sync interval.
 */
export class ExternalDns extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;
  /** The IRSA role the controller's ServiceAccount assumes to write the hosted zone's records. */
  public readonly role: IrsaRole;

  constructor(name: string, args: ExternalDnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dns:ExternalDns", name, {}, opts);
    this.role = new IrsaRole(
      `${name}-route53`,
      {
        description: `external-dns (${args.environment}) publishes the records of hosted zone ${args.hostedZoneId}`,
        environment: args.environment,
        component: "external-dns",
        oidcProviderArn: args.oidcProviderArn,
        namespace: args.namespace,
        serviceAccount: EXTERNAL_DNS_SERVICE_ACCOUNT,
        policy: externalDnsPolicy(args.hostedZoneId),
      },
      { parent: this },
    );
    const values = this.role.arn.apply((roleArn) => externalDnsValues({ ...args, roleArn }));
    // The chart's own DNSEndpoint CRD is not installed: the platform publishes routes only.
    this.chart = new k8s.helm.v4.Chart(`${name}-chart`, { ...helmChartArgs("externalDns", args.namespace, values), skipCrds: true }, { parent: this });
    this.registerOutputs({ role: this.role.arn });
  }
}
