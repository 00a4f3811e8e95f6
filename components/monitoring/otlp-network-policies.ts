import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { commonLabels, LABEL } from "../core/labels";
import { OTLP_PORTS } from "./monitoring-input";

/** Pods of the Alloy release (the chart's selector labels for release "alloy"). */
export const ALLOY_PODS = { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy" } as const;

const OTLP = [
  { protocol: "TCP", port: OTLP_PORTS.grpc },
  { protocol: "TCP", port: OTLP_PORTS.http },
];

/**
 * The apps send spans to Alloy in the monitoring namespace. Every namespace denies by default, and an
 * ipBlock egress does not reliably cover pod IPs, so the path is opened on both sides and for the OTLP
 * ports only: egress from every pod of each app namespace to the Alloy pods, ingress to the Alloy pods
 * from those namespaces. Alloy → Tempo stays inside the monitoring namespace, which allow-same-namespace
 * already admits; no app reaches Tempo directly.
 */
export function otlpNetworkPolicies(input: {
  readonly environment: string;
  readonly monitoringNamespace: string;
  readonly appNamespaces: readonly string[];
}): { readonly egress: readonly NetworkPolicy[]; readonly ingress: NetworkPolicy | undefined } {
  const labels = { ...commonLabels(input.environment), "platform.io/component": "tracing" };
  const alloy = { matchLabels: { ...ALLOY_PODS } };
  const egress: NetworkPolicy[] = input.appNamespaces.map((namespace) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "allow-egress-otlp-to-alloy", namespace, labels },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { [LABEL.namespaceName]: input.monitoringNamespace } }, podSelector: alloy }], ports: OTLP }],
    },
  }));
  if (input.appNamespaces.length === 0) return { egress, ingress: undefined };
  const ingress: NetworkPolicy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "alloy-otlp-from-app-namespaces", namespace: input.monitoringNamespace, labels },
    spec: {
      podSelector: alloy,
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [{ namespaceSelector: { matchExpressions: [{ key: LABEL.namespaceName, operator: "In", values: [...input.appNamespaces] }] } }],
          ports: OTLP,
        },
      ],
    },
  };
  return { egress, ingress };
}
