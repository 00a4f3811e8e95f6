import type { ResourceSettings } from "../../stacks/schema";
import { commonLabels, LABEL } from "../core/labels";
import { spreadOverZones } from "../core/zone-spread";
import type { PublicEndpoint } from "./public-endpoints";

/**
 * The stack's way in, as Gateway API and Envoy Gateway objects: one GatewayClass, one EnvoyProxy (how the
 * data plane runs and the NLB in front of it), one Gateway with a plain-HTTP listener that only redirects and
 * an HTTPS listener per public hostname, a ClientTrafficPolicy holding TLS at 1.2 or later, and per hostname
 * the HTTPRoute to its Service.
 */

export const GATEWAY_API = "gateway.networking.k8s.io/v1";
export const ENVOY_GATEWAY_API = "gateway.envoyproxy.io/v1alpha1";
/** The controller name Envoy Gateway's default configuration claims GatewayClasses with. */
export const ENVOY_GATEWAY_CONTROLLER = "gateway.envoyproxy.io/gatewayclass-controller";
export const GATEWAY_CLASS = "envoy";
export const GATEWAY_NAME = "platform";
export const ENVOY_PROXY_NAME = "platform-proxy";
export const HTTP_LISTENER = "http";
/** Envoy Gateway's default data-plane image for v1.9.0 (api/v1alpha1 DefaultEnvoyProxyImage), pinned here. */
export const ENVOY_PROXY_IMAGE = "docker.io/envoyproxy/envoy:distroless-v1.39.0";
/**
 * Ports the proxies listen on: Envoy Gateway maps a privileged listener port to 10000 + port, so the
 * container runs without NET_BIND_SERVICE (internal/gatewayapi servicePortToContainerPort).
 */
export const PROXY_PORTS = { http: 10080, https: 10443 } as const;
/** Labels Envoy Gateway puts on every proxy pod it runs (internal/infrastructure/kubernetes/proxy EnvoyAppLabel). */
export const ENVOY_PROXY_POD_LABELS = {
  "app.kubernetes.io/name": "envoy",
  "app.kubernetes.io/component": "proxy",
  "app.kubernetes.io/managed-by": "envoy-gateway",
} as const;

export interface GatewayInput {
  readonly environment: string;
  /** Namespace of the controller, its proxies, the Gateway and the certificates. */
  readonly namespace: string;
  readonly replicas: number;
  readonly resources: ResourceSettings;
  readonly endpoints: readonly PublicEndpoint[];
}

const labels = (environment: string) => ({ ...commonLabels(environment), [LABEL.partOf]: "platform", "app.kubernetes.io/component": "gateway" });

export const listenerName = (endpoint: PublicEndpoint) => `https-${endpoint.key}`;
export const certificateName = (endpoint: PublicEndpoint) => endpoint.key;
export const certificateSecretName = (endpoint: PublicEndpoint) => `${endpoint.key}-tls`;

export function gatewayClassManifest(input: GatewayInput) {
  return {
    apiVersion: GATEWAY_API,
    kind: "GatewayClass",
    metadata: { name: GATEWAY_CLASS, labels: labels(input.environment) },
    spec: {
      controllerName: ENVOY_GATEWAY_CONTROLLER,
      parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: ENVOY_PROXY_NAME, namespace: input.namespace },
    },
  };
}

/**
 * The NLB's health check of each node, spelled out so that the proxies' drain can be sized by it. With
 * externalTrafficPolicy Local the NLB checks kube-proxy's health-check port, which fails as soon as the
 * node's proxy is terminating; after `unhealthyThreshold` failures `intervalSeconds` apart the NLB stops
 * sending that node new connections.
 */
export const NLB_HEALTH_CHECK = { intervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2 } as const;

/**
 * How long a terminating proxy keeps accepting connections, at least: until the NLB has taken its node out of
 * rotation (two failed checks, 20 s), with margin. Envoy Gateway's default, 10 s, let a proxy exit while the NLB
 * still sent its node new connections, which then found no proxy there (Local: no other node's) and failed, on
 * every proxy rollout and node drain. drainTimeout (Envoy Gateway's default, spelled out) bounds a drain that
 * long connections keep busy.
 */
export const PROXY_SHUTDOWN = { minDrainDuration: "30s", drainTimeout: "60s" } as const;

/**
 * The data plane: its size, its pinned image, and the Service in front of it. The Service is an AWS
 * Network Load Balancer made by EKS's own cloud provider (the `nlb` annotation; no other controller is
 * named), passing TCP through so TLS ends at Envoy with cert-manager's certificates. externalTrafficPolicy
 * Local keeps the client's address (the NetworkPolicy admits it, and the access log records it) and lets the
 * NLB health-check only nodes that run a proxy.
 */
export function envoyProxyManifest(input: GatewayInput) {
  const hardened = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 65532,
    runAsGroup: 65532,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
  return {
    apiVersion: ENVOY_GATEWAY_API,
    kind: "EnvoyProxy",
    metadata: { name: ENVOY_PROXY_NAME, namespace: input.namespace, labels: labels(input.environment) },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          envoyDeployment: {
            replicas: input.replicas,
            // Surge first: a rollout never drops below the configured number of proxies.
            strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
            container: { image: ENVOY_PROXY_IMAGE, resources: { requests: { ...input.resources.requests }, limits: { ...input.resources.limits } }, securityContext: hardened },
            pod: {
              securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
              ...(input.replicas > 1
                ? {
                    // Envoy Gateway makes a Deployment of them.
                    topologySpreadConstraints: spreadOverZones(ENVOY_PROXY_POD_LABELS, "Deployment"),
                  }
                : {}),
            },
          },
          envoyService: {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            annotations: {
              "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
              "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
              "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
              "service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval": String(NLB_HEALTH_CHECK.intervalSeconds),
              "service.beta.kubernetes.io/aws-load-balancer-healthcheck-healthy-threshold": String(NLB_HEALTH_CHECK.healthyThreshold),
              "service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold": String(NLB_HEALTH_CHECK.unhealthyThreshold),
            },
          },
          // Drains take one proxy at a time; a single proxy (staging) can still be drained.
          envoyPDB: { maxUnavailable: 1 },
        },
      },
      shutdown: { ...PROXY_SHUTDOWN },
    },
  };
}

/** The Gateway: `http` only redirects (its one route, below); each hostname gets its own HTTPS listener and certificate. */
export function gatewayManifest(input: GatewayInput) {
  return {
    apiVersion: GATEWAY_API,
    kind: "Gateway",
    metadata: { name: GATEWAY_NAME, namespace: input.namespace, labels: labels(input.environment) },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      listeners: [
        { name: HTTP_LISTENER, protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" } } },
        ...input.endpoints.map((endpoint) => ({
          name: listenerName(endpoint),
          protocol: "HTTPS",
          port: 443,
          hostname: endpoint.hostname,
          tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: certificateSecretName(endpoint) }] },
          // Only the backend's namespace may attach a route to its hostname.
          allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { [LABEL.namespaceName]: endpoint.namespace } } },
            kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
          },
        })),
      ],
    },
  };
}

/** TLS 1.2 at least on every listener of the Gateway (Envoy Gateway's own default minimum is also 1.2; this pins it). */
export function clientTrafficPolicyManifest(input: GatewayInput) {
  return {
    apiVersion: ENVOY_GATEWAY_API,
    kind: "ClientTrafficPolicy",
    metadata: { name: "tls-minimum", namespace: input.namespace, labels: labels(input.environment) },
    spec: {
      targetRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME }],
      tls: { minVersion: "1.2", alpnProtocols: ["h2", "http/1.1"] },
    },
  };
}

/** Every plain-HTTP request, whatever its host, is answered with a permanent redirect to https. */
export function httpsRedirectRouteManifest(input: GatewayInput) {
  return {
    apiVersion: GATEWAY_API,
    kind: "HTTPRoute",
    metadata: { name: "https-redirect", namespace: input.namespace, labels: labels(input.environment) },
    spec: {
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: GATEWAY_NAME, sectionName: HTTP_LISTENER }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/** The route of one hostname: attached to its own HTTPS listener only, sending everything to its Service. */
export function endpointRouteManifest(endpoint: PublicEndpoint, gatewayNamespace: string, environment: string) {
  return {
    apiVersion: GATEWAY_API,
    kind: "HTTPRoute",
    metadata: { name: endpoint.name, namespace: endpoint.namespace, labels: labels(environment) },
    spec: {
      parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", namespace: gatewayNamespace, name: GATEWAY_NAME, sectionName: listenerName(endpoint) }],
      hostnames: [endpoint.hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ group: "", kind: "Service", name: endpoint.service, port: endpoint.servicePort }] }],
    },
  };
}
