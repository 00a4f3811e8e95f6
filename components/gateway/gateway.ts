import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmChartArgs } from "../monitoring/charts";
import { envoyGatewayServiceMonitor } from "./controller-monitor";
import { envoyGatewayValues } from "./envoy-gateway-values";
import {
  clientTrafficPolicyManifest,
  envoyProxyManifest,
  type GatewayInput,
  gatewayClassManifest,
  gatewayManifest,
  httpsRedirectRouteManifest,
} from "./gateway-manifests";
import { proxyIngressPolicy } from "./gateway-network-policies";

export interface GatewayArgs extends GatewayInput {
  readonly environment: "staging" | "production";
}

/**
 * The objects Gateway writes itself besides the Envoy Gateway chart: the Gateway API and Envoy Gateway objects,
 * the proxies' NetworkPolicy and the controller's ServiceMonitor.
 */
export function gatewayObjectManifests(args: GatewayArgs) {
  return {
    proxy: envoyProxyManifest(args),
    gatewayClass: gatewayClassManifest(args),
    gateway: gatewayManifest(args),
    tlsMinimum: clientTrafficPolicyManifest(args),
    httpsRedirect: httpsRedirectRouteManifest(args),
    proxyIngress: proxyIngressPolicy(args.namespace, args.environment),
    controllerMonitor: envoyGatewayServiceMonitor({ environment: args.environment, namespace: args.namespace }),
  };
}

/**
 * Envoy Gateway and the stack's one Gateway. helm.v3.Release for the controller: the chart brings the
 * Gateway API and Envoy Gateway CRDs and a certgen hook Job, which Helm orders and rolls back as a unit.
 * The Gateway API objects follow the release (their CRDs come with it).
 */
export class Gateway extends pulumi.ComponentResource {
  public readonly release: k8s.helm.v3.Release;
  public readonly gateway: k8s.apiextensions.CustomResource;

  constructor(name: string, args: GatewayArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:gateway:Gateway", name, {}, opts);
    this.release = new k8s.helm.v3.Release(
      `${name}-envoy-gateway`,
      { ...helmChartArgs("envoyGateway", args.namespace, envoyGatewayValues({ environment: args.environment })), atomic: true, cleanupOnFail: true, timeout: 600, maxHistory: 10 },
      { parent: this },
    );
    const m = gatewayObjectManifests(args);
    const afterCrds = { parent: this, dependsOn: [this.release] };
    const proxy = new k8s.apiextensions.CustomResource(`${name}-proxy`, m.proxy, afterCrds);
    const gatewayClass = new k8s.apiextensions.CustomResource(`${name}-class`, m.gatewayClass, { parent: this, dependsOn: [this.release, proxy] });
    this.gateway = new k8s.apiextensions.CustomResource(`${name}-gateway`, m.gateway, { parent: this, dependsOn: [gatewayClass] });
    new k8s.apiextensions.CustomResource(`${name}-tls-minimum`, m.tlsMinimum, { parent: this, dependsOn: [this.gateway] });
    new k8s.apiextensions.CustomResource(`${name}-https-redirect`, m.httpsRedirect, { parent: this, dependsOn: [this.gateway] });
    new k8s.networking.v1.NetworkPolicy(`${name}-envoy-from-load-balancer`, m.proxyIngress, { parent: this });
    // Once the chart is applied, so its first scrape finds the Service it selects.
    new k8s.apiextensions.CustomResource(`${name}-controller-monitor`, m.controllerMonitor, { parent: this, dependsOn: [this.release] });
    // What a route's parentRef names.
    this.registerOutputs({ release: this.release.status, gateway: this.gateway.metadata.name, namespace: args.namespace });
  }
}
