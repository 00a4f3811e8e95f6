import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "kubernetes-types/networking/v1";
import { commonLabels, LABEL } from "../core/labels";
import { ALLOY_HTTP_PORT } from "./alloy-config";
import type { ClusterFlavour } from "./cluster-flavour";
import { LOKI_GATEWAY_PODS, LOKI_GATEWAY_PORT } from "./loki-values";
import { OTLP_PORTS, PROMETHEUS_PODS } from "./monitoring-input";
import { TEMPO_PODS } from "./tempo-values";

/** Pods of the Alloy release (the chart's selector labels for release "alloy"). */
export const ALLOY_PODS = { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" } as const;

/**
 * Ports of the API server's endpoints, where the `kubernetes` Service's traffic arrives after DNAT (which is
 * what NetworkPolicies see): EKS serves it on 443; self-managed clusters on 443 or kubeadm's 6443.
 */
export function apiServerPorts(flavour: ClusterFlavour): number[] {
  return flavour === "eks" ? [443] : [443, 6443];
}

export interface AlloyNetworkPolicyInput {
  readonly environment: string;
  readonly clusterFlavour: ClusterFlavour;
  /** Where Prometheus, Loki and Tempo run. */
  readonly monitoringNamespace: string;
  /** Where Alloy runs. */
  readonly nodeAgentsNamespace: string;
  /** Namespaces whose pods send spans to Alloy. */
  readonly appNamespaces: readonly string[];
}

export interface AlloyNetworkPolicies {
  /** One per app namespace: egress from every pod to Alloy's OTLP ports. */
  readonly appEgress: readonly NetworkPolicy[];
  /** In the node agents' namespace: what reaches Alloy's pods and where they may go. */
  readonly nodeAgents: readonly NetworkPolicy[];
  /** In the monitoring namespace: Loki's gateway and Tempo admit Alloy. */
  readonly monitoring: readonly NetworkPolicy[];
}

const tcp = (...ports: number[]): NetworkPolicyPort[] => ports.map((port) => ({ protocol: "TCP", port }));
const inNamespace = (namespace: string, pods: Readonly<Record<string, string>>): NetworkPolicyPeer => ({
  namespaceSelector: { matchLabels: { [LABEL.namespaceName]: namespace } },
  podSelector: { matchLabels: { ...pods } },
});

/**
 * Every path of Alloy, which runs in the node agents' namespace, apart from the monitoring namespace whose
 * services it talks to. Both namespaces, like every other, deny by default, and an ipBlock does not reliably
 * cover pod IPs, so each path between pods is opened on both sides, pod to pod, on its port only:
 * - apps → Alloy's OTLP receiver (4317 gRPC, 4318 HTTP);
 * - Alloy → Loki's gateway (log pushes) and Alloy → Tempo's OTLP gRPC port (spans);
 * - Prometheus → Alloy's metrics port. The node agents' namespace has no blanket admission of the monitoring
 *   namespace (components/core/namespace-manifests.ts), so Grafana, Loki or Tempo cannot reach Alloy;
 * - Alloy → the API server (its pod discovery), which lives outside the pod network at addresses EKS does
 *   not fix: any address, on the API server's ports only.
 * DNS comes with every namespace (allow-dns). node-exporter needs no policy: it runs in the host's network
 * namespace, which NetworkPolicies do not govern, and Prometheus reaches it at the node's address through
 * the monitoring namespace's own egress.
 */
export function alloyNetworkPolicies(input: AlloyNetworkPolicyInput): AlloyNetworkPolicies {
  // The component label says which pipeline a policy carries: tracing (spans), logging, metrics, or Alloy itself.
  const policy = (name: string, namespace: string, component: string, spec: NetworkPolicy["spec"]): NetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: { ...commonLabels(input.environment), "platform.io/component": component } },
    spec,
  });
  const otlp = tcp(OTLP_PORTS.grpc, OTLP_PORTS.http);
  const alloy = { matchLabels: { ...ALLOY_PODS } };
  const alloyPods = inNamespace(input.nodeAgentsNamespace, ALLOY_PODS);

  const appEgress = input.appNamespaces.map((namespace) =>
    policy("allow-egress-otlp-to-alloy", namespace, "tracing", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [alloyPods], ports: otlp }] }),
  );
  const nodeAgents: NetworkPolicy[] = [];
  if (input.appNamespaces.length > 0) {
    nodeAgents.push(
      policy("alloy-otlp-from-app-namespaces", input.nodeAgentsNamespace, "tracing", {
        podSelector: alloy,
        policyTypes: ["Ingress"],
        ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: LABEL.namespaceName, operator: "In", values: [...input.appNamespaces] }] } }], ports: otlp }],
      }),
    );
  }
  nodeAgents.push(
    policy("alloy-metrics-from-prometheus", input.nodeAgentsNamespace, "metrics", {
      podSelector: alloy,
      policyTypes: ["Ingress"],
      ingress: [{ from: [inNamespace(input.monitoringNamespace, PROMETHEUS_PODS)], ports: tcp(ALLOY_HTTP_PORT) }],
    }),
    policy("alloy-egress-to-loki-gateway", input.nodeAgentsNamespace, "logging", {
      podSelector: alloy,
      policyTypes: ["Egress"],
      egress: [{ to: [inNamespace(input.monitoringNamespace, LOKI_GATEWAY_PODS)], ports: tcp(LOKI_GATEWAY_PORT) }],
    }),
    policy("alloy-egress-to-tempo", input.nodeAgentsNamespace, "tracing", {
      podSelector: alloy,
      policyTypes: ["Egress"],
      egress: [{ to: [inNamespace(input.monitoringNamespace, TEMPO_PODS)], ports: tcp(OTLP_PORTS.grpc) }],
    }),
    policy("alloy-egress-to-api-server", input.nodeAgentsNamespace, "node-agents", {
      podSelector: alloy,
      policyTypes: ["Egress"],
      egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: tcp(...apiServerPorts(input.clusterFlavour)) }],
    }),
  );
  const monitoring = [
    policy("loki-gateway-from-alloy", input.monitoringNamespace, "logging", {
      podSelector: { matchLabels: { ...LOKI_GATEWAY_PODS } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [alloyPods], ports: tcp(LOKI_GATEWAY_PORT) }],
    }),
    policy("tempo-otlp-from-alloy", input.monitoringNamespace, "tracing", {
      podSelector: { matchLabels: { ...TEMPO_PODS } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [alloyPods], ports: tcp(OTLP_PORTS.grpc) }],
    }),
  ];
  return { appEgress, nodeAgents, monitoring };
}
