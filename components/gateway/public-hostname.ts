import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { certificateManifest, type IssuerKind } from "../certificates/cluster-issuer";
import { BlackboxProbe } from "../monitoring/blackbox-exporter";
import { publicProbeTarget } from "./public-probe";
import { certificateName, certificateSecretName, endpointRouteManifest } from "./gateway-manifests";
import { backendIngressPolicy, proxyEgressPolicy } from "./gateway-network-policies";
import type { PublicEndpoint } from "./public-endpoints";

export interface PublicHostnameArgs {
  readonly endpoint: PublicEndpoint;
  readonly environment: "staging" | "production";
  readonly gatewayNamespace: string;
  readonly issuer: IssuerKind;
  readonly monitoringNamespace: string;
}

/**
 * One public hostname end to end: its certificate (in the Gateway's namespace, where its listener reads it),
 * its HTTPRoute to the backend Service (external-dns publishes the record from it), the two NetworkPolicies
 * that let the proxies, and only them, reach the backend's port, and the external https probe.
 */
export class PublicHostname extends pulumi.ComponentResource {
  public readonly route: k8s.apiextensions.CustomResource;

  constructor(name: string, args: PublicHostnameArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gateway:PublicHostname", name, {}, opts);
    const { endpoint } = args;
    const child = { parent: this };
    new k8s.apiextensions.CustomResource(
      `${name}-certificate`,
      certificateManifest({
        environment: args.environment,
        namespace: args.gatewayNamespace,
        name: certificateName(endpoint),
        secretName: certificateSecretName(endpoint),
        hostname: endpoint.hostname,
        issuer: args.issuer,
      }),
      child,
    );
    this.route = new k8s.apiextensions.CustomResource(`${name}-route`, endpointRouteManifest(endpoint, args.gatewayNamespace, args.environment), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-proxy-egress`, proxyEgressPolicy(endpoint, args.gatewayNamespace, args.environment), child);
    new k8s.networking.v1.NetworkPolicy(`${name}-backend-ingress`, backendIngressPolicy(endpoint, args.gatewayNamespace, args.environment), child);
    new BlackboxProbe(`${name}-probe`, { ...publicProbeTarget(endpoint, args.issuer), monitoringNamespace: args.monitoringNamespace }, child);
    this.registerOutputs({ hostname: endpoint.hostname, route: this.route.metadata.name, certificateSecret: certificateSecretName(endpoint) });
  }
}
