import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { durationInHours } from "../../stacks/formats";
import type { ResourceSettings } from "../../stacks/schema";
import { CHART_CONTAINER_RESOURCES, memcachedResources } from "./chart-container-resources";
import type { MonitoringInput } from "./monitoring-input";
import { MONITORING_PRIORITY_CLASS } from "./monitoring-priority";
import { withEphemeralStorage, withVolumes } from "../core/ephemeral-storage";
import { spreadOverZones } from "../core/zone-spread";
import type { TopologySpreadConstraint } from "kubernetes-types/core/v1";

/** Where Loki stores chunks in production; absent for filesystem storage. */
export interface LokiObjectStorage {
  readonly bucketName: string;
  readonly region: string;
  /** IAM role the Loki ServiceAccount assumes through IRSA; no static keys exist. */
  readonly roleArn: string;
}

/** The subset of grafana-community loki 18.x values the platform sets. */
export interface LokiValues {
  deploymentMode: "Monolithic";
  loki: {
    auth_enabled: boolean;
    commonConfig: { replication_factor: number };
    schemaConfig: { configs: { from: string; store: "tsdb"; object_store: "filesystem" | "s3"; schema: "v13"; index: { prefix: string; period: "24h" } }[] };
    storage: { type: "filesystem" | "s3"; bucketNames?: { chunks: string; ruler: string }; s3?: { region: string } };
    compactor: { retention_enabled: boolean; delete_request_store: "filesystem" | "s3"; working_directory: string };
    limits_config: { retention_period: string; allow_structured_metadata: boolean; volume_enabled: boolean };
  };
  serviceAccount: { create: boolean; name: string; annotations: Record<string, string>; automountServiceAccountToken: false };
  /** What every Loki pod template falls back to (the single binary's: the chart has no key of its own for it). */
  defaults: { automountServiceAccountToken: false };
  singleBinary: {
    replicas: number;
    resources: ResourceSettings;
    persistence: { enabled: boolean; size: string; storageClass: string };
    podDisruptionBudget: { maxUnavailable: number };
    priorityClassName: string;
    topologySpreadConstraints: TopologySpreadConstraint[];
  };
  read: { replicas: 0 };
  write: { replicas: 0 };
  backend: { replicas: 0 };
  gateway: {
    replicas: number;
    containerPort: number;
    resources: ResourceSettings;
    livenessProbe: { httpGet: { path: string; port: string }; initialDelaySeconds: number; periodSeconds: number };
    podDisruptionBudget: { maxUnavailable: number };
    image: { tag: string };
    metrics: { resources: ResourceSettings };
    priorityClassName: string;
    topologySpreadConstraints: TopologySpreadConstraint[];
  };
  memcachedExporter: { resources: ResourceSettings };
  chunksCache: { enabled: boolean; allocatedMemory: number; resources: ResourceSettings };
  resultsCache: { enabled: boolean; allocatedMemory: number; resources: ResourceSettings };
  sidecar: { rules: { enabled: boolean } };
  lokiCanary: { enabled: boolean };
  test: { enabled: boolean };
  monitoring: { serviceMonitor: { enabled: boolean; labels: Record<string, string>; interval: string } };
  minio: { enabled: boolean };
}

export const LOKI_SERVICE_ACCOUNT = "loki";

/**
 * nginx-unprivileged of Loki's gateway: the chart's default, `1.31-alpine`, moves to every nginx patch release
 * under a pinned chart; this tag holds the nginx version. It is not immutable: the image is rebuilt under the
 * same tag when Alpine is (no registry can be reached here to take its digest). Pin the digest where the
 * images are mirrored, and bump the tag with the chart.
 */
export const LOKI_GATEWAY_NGINX_TAG = "1.31.0-alpine";

/** Pods of Loki's gateway (nginx), through which Alloy pushes logs and Grafana reads them. */
export const LOKI_GATEWAY_PODS = { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki", "app.kubernetes.io/component": "gateway" } as const;

/** Pods of Loki itself (the monolithic StatefulSet; the chart's selector labels). */
export const LOKI_SINGLE_BINARY_PODS = { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki", "app.kubernetes.io/component": "single-binary" } as const;

/** The gateway's container port (its Service's port 80 targets it): the one NetworkPolicies open to Alloy. */
export const LOKI_GATEWAY_PORT = 8080;

/** Name prefix of Loki's daily index tables (schema_config); a table is `<prefix><days since 1970>`. */
export const LOKI_INDEX_TABLE_PREFIX = "loki_index_";

/**
 * Where in its bucket Loki keeps what its retention deletes (Loki 3.7, schema v13, tsdb): chunks under the tenant,
 * `fake/<fingerprint>/<from>:<through>:<checksum>` (auth_enabled is false: every writer is tenant "fake"), and the
 * daily index tables under `index/` (the default path_prefix), `index/loki_index_<day>/…`. Only these may expire
 * in the bucket's lifecycle. The same bucket also holds what Loki keeps for good, and it is not written again
 * unless it changes: the compactor's delete requests (`index/delete_requests/`, uploaded only when a request is
 * added or processed; expired, a compactor starting without its local copy would lose pending deletions and
 * their history), the ruler's rule groups (`rules/`, from the ruler API) and the cluster seed
 * (`loki_cluster_seed.json`).
 */
export const LOKI_RETAINED_DATA_PREFIXES = { chunks: "fake/", index: `index/${LOKI_INDEX_TABLE_PREFIX}` } as const;

/** Loki keeps retention in hours; config holds whole days. */
export function lokiRetentionPeriod(logRetention: string): string {
  return durationInHours(logRetention);
}

/** Item memory of the memcached caches (MB): the chart's defaults (8 GB of chunks) would not fit the quota. */
export const LOKI_CACHE_MEMORY_MB = { chunks: 1024, results: 256 } as const;

export function lokiValues(input: MonitoringInput, objectStorage?: LokiObjectStorage): LokiValues {
  const loki = input.monitoring.loki;
  // Alloy and Grafana reach Loki through the gateway: in production it runs twice, so a drain never cuts logs.
  const gatewayReplicas = input.environment === "production" ? 2 : 1;
  const store = objectStorage ? "s3" : "filesystem";
  return {
    deploymentMode: "Monolithic",
    loki: {
      // One tenant: everything in the cluster writes and reads as "fake"; isolation is by NetworkPolicy.
      auth_enabled: false,
      commonConfig: { replication_factor: objectStorage ? Math.min(3, loki.replicas) : 1 },
      schemaConfig: {
        configs: [{ from: "2024-04-01", store: "tsdb", object_store: store, schema: "v13", index: { prefix: LOKI_INDEX_TABLE_PREFIX, period: "24h" } }],
      },
      storage: objectStorage
        ? { type: "s3", bucketNames: { chunks: objectStorage.bucketName, ruler: objectStorage.bucketName }, s3: { region: objectStorage.region } }
        : { type: "filesystem" },
      // Without the compactor's retention, Loki keeps logs forever whatever limits_config says.
      compactor: { retention_enabled: true, delete_request_store: store, working_directory: "/var/loki/compactor" },
      limits_config: { retention_period: lokiRetentionPeriod(input.logRetention), allow_structured_metadata: true, volume_enabled: true },
    },
    serviceAccount: {
      create: true,
      name: LOKI_SERVICE_ACCOUNT,
      annotations: objectStorage ? { "eks.amazonaws.com/role-arn": objectStorage.roleArn } : {},
      // Loki never calls the Kubernetes API (its ring is memberlist over DNS, the rules sidecar is off); the IRSA
      // token is projected by EKS' webhook regardless.
      automountServiceAccountToken: false,
    },
    defaults: { automountServiceAccountToken: false },
    singleBinary: {
      replicas: loki.replicas,
      // Its emptyDir /tmp holds query and compaction scratch files; the data is on its volume or in S3.
      resources: withEphemeralStorage(loki.resources, withVolumes("1Gi")),
      persistence: { enabled: true, size: loki.storageSize, storageClass: input.storageClass },
      // Rendered only with more than one replica: drains take Loki pods one at a time.
      podDisruptionBudget: { maxUnavailable: 1 },
      // Rescheduled ahead of the apps when the cluster is full (monitoring-priority.ts), like its gateway.
      priorityClassName: MONITORING_PRIORITY_CLASS,
      // Each replica's volume (its WAL) ties it to one zone: spread at first placement, so a zone's outage leaves the others.
      topologySpreadConstraints: spreadOverZones(LOKI_SINGLE_BINARY_PODS, "StatefulSet"),
    },
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    gateway: {
      replicas: gatewayReplicas,
      // The chart's default, spelled out because the NetworkPolicy admitting Alloy names it.
      containerPort: LOKI_GATEWAY_PORT,
      resources: CHART_CONTAINER_RESOURCES.lokiGateway,
      // The chart gives nginx a readiness probe only; a hung nginx would keep its endpoint forever.
      livenessProbe: { httpGet: { path: "/", port: "http" }, initialDelaySeconds: 15, periodSeconds: 20 },
      podDisruptionBudget: { maxUnavailable: 1 },
      image: { tag: LOKI_GATEWAY_NGINX_TAG },
      metrics: { resources: CHART_CONTAINER_RESOURCES.lokiGatewayAccessLogExporter },
      priorityClassName: MONITORING_PRIORITY_CLASS,
      topologySpreadConstraints: spreadOverZones(LOKI_GATEWAY_PODS, "Deployment"),
    },
    memcachedExporter: { resources: CHART_CONTAINER_RESOURCES.memcachedExporter },
    // Caches help reads from S3 (production); staging's filesystem store does not need them.
    chunksCache: { enabled: objectStorage !== undefined, allocatedMemory: LOKI_CACHE_MEMORY_MB.chunks, resources: memcachedResources(LOKI_CACHE_MEMORY_MB.chunks, "1") },
    resultsCache: { enabled: objectStorage !== undefined, allocatedMemory: LOKI_CACHE_MEMORY_MB.results, resources: memcachedResources(LOKI_CACHE_MEMORY_MB.results, "500m") },
    // The rules sidecar loads Loki ruler rules from ConfigMaps and Secrets in every namespace; the platform
    // alerts from Prometheus and runs no Loki rules, so neither the sidecar nor its ClusterRole is needed.
    sidecar: { rules: { enabled: false } },
    lokiCanary: { enabled: false },
    test: { enabled: false },
    // Loki's own metrics (ingestion, request errors, compactor retention), as job monitoring/loki. The chart's
    // 15 s interval serves its recording rules, which the platform does not install: Prometheus' own interval.
    monitoring: { serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_SELECTOR_LABELS }, interval: input.monitoring.prometheus.scrapeInterval } },
    minio: { enabled: false },
  };
}
