import { commonLabels } from "../core/labels";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { ENVOY_GATEWAY_PODS } from "./envoy-gateway-values";

/** The controller's metrics port as the chart names it on its Service and container (Envoy Gateway's GatewayMetricsPort). */
export const ENVOY_GATEWAY_METRICS_PORT = { name: "metrics", number: 19001 } as const;

/**
 * Prometheus' ServiceMonitor of the Envoy Gateway controller. Chart v1.9 ships none, only prometheus.io
 * annotations on the pods, which kube-prometheus-stack's Prometheus does not read. The chart's Service
 * `envoy-gateway` lists the metrics port beside xDS, and every replica behind it: each one translates and
 * serves xDS to the proxies connected to it, the leader alone also writes status and the proxies' Deployments.
 * No jobLabel, so job is the Service's name (EXPORTER_JOBS.envoyGateway). Without honorLabels: the
 * controller's own `namespace` label (resource_apply_total's) becomes exported_namespace, and `namespace`
 * stays the controller's. Prometheus reaches the port through the namespace's allow-monitoring-scrape.
 */
export function envoyGatewayServiceMonitor(input: { environment: string; namespace: string }) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: "envoy-gateway", namespace: input.namespace, labels: { ...commonLabels(input.environment), ...PROMETHEUS_SELECTOR_LABELS } },
    spec: {
      namespaceSelector: { matchNames: [input.namespace] },
      selector: { matchLabels: { ...ENVOY_GATEWAY_PODS } },
      endpoints: [{ port: ENVOY_GATEWAY_METRICS_PORT.name, path: "/metrics", honorLabels: false }],
    },
  };
}
