import { sized, withEphemeralStorage, withVolumes } from "../core/ephemeral-storage";
import type { ResourceSettings } from "../../stacks/schema";

/**
 * Requests and limits of the chart containers the stack file does not size. Left empty, each would get the
 * namespace's LimitRange default (1 CPU / 1Gi of limits in production), so a dozen helpers and one pod per
 * node of each DaemonSet would fill the monitoring quota; explicit sizes make the quota's arithmetic honest.
 */
export const CHART_CONTAINER_RESOURCES = {
  prometheusOperator: sized("100m", "128Mi", "500m", "512Mi"),
  /** The reloader the operator injects into every Prometheus and Alertmanager pod (and its init container). */
  configReloader: sized("10m", "32Mi", "100m", "64Mi"),
  /** kube-webhook-certgen Jobs that create and patch the admission webhook's certificate (hooks). */
  admissionWebhookJob: sized("10m", "32Mi", "100m", "128Mi"),
  /** The CRD upgrade hook: kubectl applies ~4.5 MB of CRDs server-side. */
  crdUpgradeJob: sized("50m", "64Mi", "500m", "256Mi"),
  kubeStateMetrics: sized("50m", "128Mi", "500m", "512Mi"),
  /** One per node. */
  nodeExporter: sized("25m", "48Mi", "250m", "128Mi"),
  /** Grafana's dashboard and datasource sidecars (k8s-sidecar). */
  grafanaSidecar: sized("20m", "64Mi", "200m", "256Mi"),
  /** nginx buffers large push bodies in its emptyDir /tmp. */
  lokiGateway: withEphemeralStorage(sized("50m", "64Mi", "500m", "256Mi"), withVolumes("256Mi")),
  lokiGatewayAccessLogExporter: sized("10m", "32Mi", "100m", "64Mi"),
  memcachedExporter: sized("10m", "32Mi", "100m", "64Mi"),
} as const satisfies Record<string, ResourceSettings>;

/** memcached sized from the memory it may use for items: the chart's own rule, 1.2 × the item memory. */
export function memcachedResources(itemMemoryMb: number, cpuLimit: string): ResourceSettings {
  const memory = `${Math.round(itemMemoryMb * 1.2)}Mi`;
  // Items live in memory only (no extstore): the disk holds its logs.
  return withEphemeralStorage({ requests: { cpu: "100m", memory }, limits: { cpu: cpuLimit, memory } });
}
