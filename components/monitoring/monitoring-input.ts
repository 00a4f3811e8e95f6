import type { MonitoringSettings } from "../../stacks/schema";
import type { ClusterFlavour } from "./cluster-flavour";

/** The part of PlatformConfig the monitoring builders read. */
export interface MonitoringInput {
  readonly environment: "staging" | "production";
  /** Which components Prometheus can scrape on this kind of cluster (components/monitoring/cluster-flavour.ts). */
  readonly clusterFlavour: ClusterFlavour;
  readonly clusterName: string;
  readonly domain: string;
  /** Namespace of Prometheus, Alertmanager, Grafana, Loki, Tempo and the exporters. */
  readonly namespace: string;
  /** Namespace of the node agents, node-exporter and Alloy: the only pods with host access (PSA privileged). */
  readonly nodeAgentsNamespace: string;
  readonly storageClass: string;
  readonly metricsRetention: string;
  readonly logRetention: string;
  readonly monitoring: MonitoringSettings;
  /**
   * Secret (key alertmanager.yaml) Alertmanager mounts its configuration from.
   * @default ALERTMANAGER_CONFIG_SECRET.name, the Secret components/alerting writes
   */
  readonly alertmanagerConfigSecret?: string;
}

/** The standard OTLP ports, on Alloy (from the apps) and on Tempo (from Alloy). */
export const OTLP_PORTS = { grpc: 4317, http: 4318 } as const;

/** Tempo's HTTP port: query API, /metrics, /ready. */
export const TEMPO_HTTP_PORT = 3200;

/** Prometheus' pods (the operator's label on every pod of a Prometheus object). */
export const PROMETHEUS_PODS = { "app.kubernetes.io/name": "prometheus" } as const;

const serviceUrl = (namespace: string) => (name: string, port: number) => `http://${name}.${namespace}.svc.cluster.local:${port}`;

/** In-cluster URLs of the services in the monitoring namespace other components talk to. */
export function monitoringUrls(namespace: string) {
  const svc = serviceUrl(namespace);
  return {
    prometheus: svc("kube-prometheus-stack-prometheus", 9090),
    alertmanager: svc("kube-prometheus-stack-alertmanager", 9093),
    loki: svc("loki-gateway", 80),
    lokiPush: `${svc("loki-gateway", 80)}/loki/api/v1/push`,
    blackboxExporter: `blackbox-exporter-prometheus-blackbox-exporter.${namespace}.svc.cluster.local:9115`,
    pushgateway: svc("pushgateway-prometheus-pushgateway", 9091),
    /** Tempo's query API (Grafana's datasource) and its OTLP gRPC receiver (Alloy's exporter, host:port). */
    tempo: svc("tempo", TEMPO_HTTP_PORT),
    tempoOtlpGrpc: `tempo.${namespace}.svc.cluster.local:${OTLP_PORTS.grpc}`,
  };
}

/** In-cluster URLs of the node agents' services: Alloy's OTLP receiver, where apps send spans (OTEL_EXPORTER_OTLP_ENDPOINT), by transport. */
export function nodeAgentUrls(nodeAgentsNamespace: string) {
  const svc = serviceUrl(nodeAgentsNamespace);
  return { otlpGrpc: svc("alloy", OTLP_PORTS.grpc), otlpHttp: svc("alloy", OTLP_PORTS.http) };
}
