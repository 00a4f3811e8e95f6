import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { commonLabels, LABEL } from "../core/labels";
import { ENVOY_PROXY_POD_LABELS, PROXY_PORTS } from "./gateway-manifests";
import type { PublicEndpoint } from "./public-endpoints";

/**
 * The traffic the way in needs through the default-deny policies of every namespace, and nothing more:
 * the internet reaches the proxies' two listener ports; the proxies reach each backend's pods on the
 * backend's port; each backend admits the proxies, and only them, on that port.
 */

const inNamespace = (name: string) => ({ matchLabels: { [LABEL.namespaceName]: name } });

function policy(name: string, namespace: string, environment: string, spec: NetworkPolicy["spec"]): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels: { ...commonLabels(environment), "app.kubernetes.io/component": "gateway" } }, spec };
}

/**
 * Clients reach the proxies through the NLB with their own addresses (externalTrafficPolicy Local), so any
 * source is admitted, on the listener ports only. The NLB's health checks go to kube-proxy's health-check
 * node port, not to a pod.
 */
export function proxyIngressPolicy(gatewayNamespace: string, environment: string): NetworkPolicy {
  return policy("envoy-from-load-balancer", gatewayNamespace, environment, {
    podSelector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS } },
    policyTypes: ["Ingress"],
    ingress: [
      {
        from: [{ ipBlock: { cidr: "0.0.0.0/0" } }],
        ports: [
          { protocol: "TCP", port: PROXY_PORTS.http },
          { protocol: "TCP", port: PROXY_PORTS.https },
        ],
      },
    ],
  });
}

/** The proxies may open connections to one backend's pods, on its port. */
export function proxyEgressPolicy(endpoint: PublicEndpoint, gatewayNamespace: string, environment: string): NetworkPolicy {
  return policy(`envoy-to-${endpoint.key}`, gatewayNamespace, environment, {
    podSelector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS } },
    policyTypes: ["Egress"],
    egress: [{ to: [{ namespaceSelector: inNamespace(endpoint.namespace), podSelector: { matchLabels: { ...endpoint.pods } } }], ports: [{ protocol: "TCP", port: endpoint.podPort }] }],
  });
}

/** The backend's pods admit the gateway's proxies (not the gateway namespace as a whole), on their port only. */
export function backendIngressPolicy(endpoint: PublicEndpoint, gatewayNamespace: string, environment: string): NetworkPolicy {
  return policy(`${endpoint.name}-from-gateway`, endpoint.namespace, environment, {
    podSelector: { matchLabels: { ...endpoint.pods } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: inNamespace(gatewayNamespace), podSelector: { matchLabels: { ...ENVOY_PROXY_POD_LABELS } } }], ports: [{ protocol: "TCP", port: endpoint.podPort }] }],
  });
}
