import { withEphemeralStorage } from "../core/ephemeral-storage";
import { spreadOverNodes } from "../core/node-spread";
import { spreadOverZones } from "../core/zone-spread";

/** Labels of the controller's pods, which the chart also puts on its Service `envoy-gateway` (control-plane and the release). */
export const ENVOY_GATEWAY_PODS = { "app.kubernetes.io/instance": "envoy-gateway", "control-plane": "envoy-gateway" } as const;

/**
 * Envoy Gateway v1.9 chart values (the control plane; the data plane is the EnvoyProxy object). It is
 * leader-elected, so production runs two with a budget. The topology injector, a mutating webhook on pod
 * bindings that only adds zone labels for topology-aware routing, is off: the platform does not use it,
 * and one webhook fewer is one path fewer from the API server through the default deny.
 */
export function envoyGatewayValues(input: { environment: "staging" | "production" }) {
  const replicas = input.environment === "production" ? 2 : 1;
  return {
    deployment: {
      replicas,
      envoyGateway: { resources: withEphemeralStorage({ requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }) },
      pod: { affinity: spreadOverNodes(ENVOY_GATEWAY_PODS), topologySpreadConstraints: spreadOverZones(ENVOY_GATEWAY_PODS, "Deployment") },
    },
    podDisruptionBudget: { maxUnavailable: 1 },
    certgen: { job: { resources: withEphemeralStorage({ requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } }) } },
    topologyInjector: { enabled: false },
    config: { envoyGateway: { logging: { level: { default: "info" } } } },
  };
}
