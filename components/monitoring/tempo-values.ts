import { durationInHours } from "../../stacks/formats";
import type { ResourceSettings } from "../../stacks/schema";
import { toYaml } from "../core/yaml";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { type MonitoringInput, OTLP_PORTS, TEMPO_HTTP_PORT } from "./monitoring-input";
import { withEphemeralStorage } from "../core/ephemeral-storage";

/** Where Tempo stores blocks in production; absent for storage on its volume. */
export interface TempoObjectStorage {
  readonly bucketName: string;
  readonly region: string;
  /** IAM role the Tempo ServiceAccount assumes through IRSA; no static keys exist. */
  readonly roleArn: string;
}

export interface TempoInput extends MonitoringInput {
  /** How long Tempo keeps traces (whole days). */
  readonly traceRetention: string;
}

export const TEMPO_SERVICE_ACCOUNT = "tempo";

/** Pods of the Tempo release (the chart's selector labels for release "tempo"). */
export const TEMPO_PODS = { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" } as const;

/** Where Tempo keeps its write-ahead log and, on the filesystem backend, its blocks: the chart mounts the volume at /var/tempo. */
const TEMPO_DATA = "/var/tempo";

/**
 * What Tempo's liveness probe asks: only whether its HTTP server answers. The chart's default, /ready, answers 503
 * until every module runs, and the ingester only runs once it has replayed its WAL (Tempo 2.10 cmd/tempo/app
 * readyHandler, modules/ingester starting → replayWal): a replay longer than the probe's minute had the kubelet
 * kill Tempo mid-replay, and the next start replayed the same WAL again, a restart loop. Tempo has no liveness
 * endpoint of its own; the build-info handler is registered on the HTTP server before any module starts and
 * depends on none. Readiness stays /ready, which keeps a replaying Tempo out of its Service. A failed module
 * stops the process by itself (the service manager), so liveness need not catch that.
 */
export const TEMPO_LIVENESS_PATH = "/api/status/buildinfo";

/** tempo.yaml, the part the platform sets (Tempo 2.10 configuration reference). */
export interface TempoConfig {
  multitenancy_enabled: false;
  usage_report: { reporting_enabled: false };
  server: { http_listen_port: number; log_level: "info" };
  memberlist: { cluster_label: string };
  distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: string } } } } };
  compactor: { compaction: { block_retention: string } };
  storage: {
    trace: {
      backend: "local" | "s3";
      wal: { path: string };
      local?: { path: string };
      s3?: { bucket: string; endpoint: string; region: string };
    };
  };
  overrides: { per_tenant_override_config: string };
}

/** The subset of grafana-community tempo 2.2 chart values the platform sets. */
export interface TempoValues {
  replicas: 1;
  config: string;
  tempo: {
    resources: ResourceSettings;
    /** Only what `config` receives; the chart derives the Service's ports from this map. */
    receivers: {
      jaeger: { protocols: { grpc: null; thrift_binary: null; thrift_compact: null; thrift_http: null } };
      otlp: { protocols: { grpc: { endpoint: string }; http: null } };
    };
    securityContext: { allowPrivilegeEscalation: false; readOnlyRootFilesystem: true; capabilities: { drop: string[] } };
    /** Merged over the chart's probe (its delays and thresholds stay). */
    livenessProbe: { httpGet: { path: string; port: number } };
  };
  securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number; runAsNonRoot: true; seccompProfile: { type: "RuntimeDefault" } };
  serviceAccount: { create: true; name: string; annotations: Record<string, string>; automountServiceAccountToken: false };
  persistence: { enabled: true; size: string; storageClassName: string; accessModes: string[] };
  serviceMonitor: { enabled: true; additionalLabels: Record<string, string> };
}

/**
 * tempo.yaml. The chart's own template would also configure its Jaeger receivers, which nothing here
 * sends to; this one listens for OTLP over gRPC from Alloy only. Tempo retains traces by the compactor's
 * block retention; on S3 the bucket's lifecycle is a backstop a week behind it.
 */
export function tempoConfig(input: TempoInput, objectStorage?: TempoObjectStorage): TempoConfig {
  return {
    // One tenant: Alloy (in the node agents' namespace, admitted by NetworkPolicy) is the only writer and Grafana the only reader.
    multitenancy_enabled: false,
    usage_report: { reporting_enabled: false },
    server: { http_listen_port: TEMPO_HTTP_PORT, log_level: "info" },
    memberlist: { cluster_label: `tempo.${input.namespace}` },
    distributor: { receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_PORTS.grpc}` } } } } },
    compactor: { compaction: { block_retention: durationInHours(input.traceRetention) } },
    storage: {
      trace: objectStorage
        ? {
            backend: "s3",
            wal: { path: `${TEMPO_DATA}/wal` },
            // No keys: the S3 client takes the IRSA web identity the EKS webhook injects.
            s3: { bucket: objectStorage.bucketName, endpoint: `s3.${objectStorage.region}.amazonaws.com`, region: objectStorage.region },
          }
        : { backend: "local", wal: { path: `${TEMPO_DATA}/wal` }, local: { path: `${TEMPO_DATA}/traces` } },
    },
    overrides: { per_tenant_override_config: "/conf/overrides.yaml" },
  };
}

/**
 * Tempo, single binary: one replica, whatever the stack (a monolithic Tempo keeps its ingester ring to
 * itself, so a second replica would hold traces the first cannot find). Its write-ahead log lives on the
 * volume in both stacks, so a restart loses nothing, and Alloy queues and retries while it is away.
 */
export function tempoValues(input: TempoInput, objectStorage?: TempoObjectStorage): TempoValues {
  const tempo = input.monitoring.tempo;
  return {
    replicas: 1,
    // The chart passes this through `tpl`; rendered YAML never contains `{{`.
    config: toYaml(tempoConfig(input, objectStorage)),
    tempo: {
      resources: withEphemeralStorage(tempo.resources),
      receivers: {
        jaeger: { protocols: { grpc: null, thrift_binary: null, thrift_compact: null, thrift_http: null } },
        otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_PORTS.grpc}` }, http: null } },
      },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
      livenessProbe: { httpGet: { path: TEMPO_LIVENESS_PATH, port: TEMPO_HTTP_PORT } },
    },
    securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    serviceAccount: {
      create: true,
      name: TEMPO_SERVICE_ACCOUNT,
      annotations: objectStorage ? { "eks.amazonaws.com/role-arn": objectStorage.roleArn } : {},
      // Tempo never calls the Kubernetes API; the IRSA token is projected by EKS' webhook regardless.
      automountServiceAccountToken: false,
    },
    persistence: { enabled: true, size: tempo.storageSize, storageClassName: input.storageClass, accessModes: ["ReadWriteOnce"] },
    serviceMonitor: { enabled: true, additionalLabels: { ...PROMETHEUS_SELECTOR_LABELS } },
  };
}
