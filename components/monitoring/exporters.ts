import type { CacheSettings, DatabaseSettings, ResourceSettings } from "../../stacks/schema";
import type { Container, Volume, VolumeMount } from "kubernetes-types/core/v1";
import type { SecretKeyRef } from "../databases/credentials";
import { POSTGRES_SERVER_CA_FILE, verifiesServerCertificate } from "../databases/server-ca";
import { withEphemeralStorage } from "../core/ephemeral-storage";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { CHART_POD_GROUP, chartPodSecurityContext } from "../core/chart-pod-user";

/** Exporters run like the platform's own pods: non-root, read-only, no privileges. */
const hardened = {
  podSecurityContext: chartPodSecurityContext,
  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, privileged: false, readOnlyRootFilesystem: true },
};

const EXPORTER_RESOURCES: ResourceSettings = withEphemeralStorage({ requests: { cpu: "25m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } });

/** The subset of prometheus-postgres-exporter 8.x values the platform sets. */
export interface PostgresExporterValues {
  config: {
    datasource: { host: string; port: string; user: string; database: string; sslmode: string; passwordSecret: SecretKeyRef; extraParams?: string };
  };
  initContainers?: Container[];
  extraVolumes?: Volume[];
  extraVolumeMounts?: VolumeMount[];
  service: { labels: Record<string, string> };
  serviceMonitor: { enabled: boolean; labels: Record<string, string>; targetLabels: string[] };
  podLabels: Record<string, string>;
  resources: ResourceSettings;
  podSecurityContext: typeof hardened.podSecurityContext;
  securityContext: typeof hardened.securityContext;
}

/** The database label the exporter's Service carries, and Prometheus copies onto its series. */
export const DATABASE_LABEL = "platform.io/database";

/** Where an exporter that verifies its server's certificate reads the CA bundle. */
const EXPORTER_CA_DIR = "/etc/postgres-server-ca";

/**
 * With sslmode verify-full or verify-ca the exporter needs the CA bundle its server's certificate chains to,
 * which its image lacks (RDS's CA is in no public trust store): an init container of the image that carries it
 * (the backup image, `serverCaImage`) copies it into a volume the exporter reads through sslrootcert.
 */
function serverCaValues(serverCaImage: string): Pick<PostgresExporterValues, "initContainers" | "extraVolumes" | "extraVolumeMounts"> {
  return {
    initContainers: [
      {
        name: "server-ca",
        image: serverCaImage,
        command: ["cp", POSTGRES_SERVER_CA_FILE, `${EXPORTER_CA_DIR}/`],
        volumeMounts: [{ name: "server-ca", mountPath: EXPORTER_CA_DIR }],
        resources: EXPORTER_RESOURCES,
        securityContext: { ...hardened.securityContext, ...chartPodSecurityContext },
      },
    ],
    extraVolumes: [{ name: "server-ca", emptyDir: { sizeLimit: "1Mi" } }],
    extraVolumeMounts: [{ name: "server-ca", mountPath: EXPORTER_CA_DIR, readOnly: true }],
  };
}

export function postgresExporterValues(db: DatabaseSettings, password: SecretKeyRef, serverCaImage?: string): PostgresExporterValues {
  const verifies = verifiesServerCertificate(db.sslMode);
  if (verifies && !serverCaImage) {
    throw new Error(`database ${db.name}: sslMode ${db.sslMode} needs the image that carries the servers' CA bundle (serverCaImage, the backup image)`);
  }
  const sslrootcert = `${EXPORTER_CA_DIR}/${POSTGRES_SERVER_CA_FILE.split("/").pop()}`;
  return {
    config: {
      datasource: {
        host: db.host,
        port: String(db.port),
        user: db.user,
        database: db.database,
        sslmode: db.sslMode,
        passwordSecret: { ...password },
        ...(verifies ? { extraParams: `sslrootcert=${sslrootcert}` } : {}),
      },
    },
    ...(verifies ? serverCaValues(serverCaImage!) : {}),
    // targetLabels copy labels of the Service, not of the pod: without it on the Service the label never arrived.
    service: { labels: { [DATABASE_LABEL]: db.name } },
    serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_SELECTOR_LABELS }, targetLabels: [DATABASE_LABEL] },
    podLabels: { [DATABASE_LABEL]: db.name },
    resources: EXPORTER_RESOURCES,
    ...hardened,
  };
}

/** The subset of prometheus-redis-exporter 6.x values the platform sets. */
export interface RedisExporterValues {
  redisAddress: string;
  auth: { enabled: boolean; secret: { name: string; key: string } };
  serviceAccount: { create: false; name: string };
  rbac: { create: false };
  serviceMonitor: { enabled: boolean; labels: Record<string, string> };
  resources: ResourceSettings;
  podSecurityContext: typeof hardened.podSecurityContext;
  securityContext: typeof hardened.securityContext;
}

/** Secret (created by DataTierExporters from the cache's passwordConfigKey) the exporter reads AUTH from. */
export function redisAuthSecretName(cache: Pick<CacheSettings, "name">): string {
  return `redis-${cache.name}-auth`;
}
export const REDIS_AUTH_SECRET_KEY = "password";

/**
 * The ServiceAccount of a cache's exporter, which DataTierExporters creates: the chart's own cannot opt out of
 * the Kubernetes API token (no value for it), and the exporter never calls the API.
 */
export function redisExporterServiceAccount(cache: Pick<CacheSettings, "name">, namespace: string) {
  return {
    metadata: { name: `redis-exporter-${cache.name}`, namespace, labels: { "app.kubernetes.io/part-of": "platform" } },
    automountServiceAccountToken: false,
  };
}

export function redisExporterValues(cache: CacheSettings, namespace: string): RedisExporterValues {
  // ElastiCache accepts AUTH only with in-transit encryption on, and refuses plain connections then: a cache
  // with a password is reached over TLS (rediss), or the exporter never logs in.
  const scheme = cache.passwordConfigKey !== undefined ? "rediss" : "redis";
  return {
    redisAddress: `${scheme}://${cache.host}:${cache.port}`,
    auth:
      cache.passwordConfigKey !== undefined
        ? { enabled: true, secret: { name: redisAuthSecretName(cache), key: REDIS_AUTH_SECRET_KEY } }
        : { enabled: false, secret: { name: "", key: "" } },
    serviceAccount: { create: false, name: redisExporterServiceAccount(cache, namespace).metadata.name },
    // The chart's Role grants nothing (a PodSecurityPolicy `use`, only with rbac.pspEnabled): no Role, no binding.
    rbac: { create: false },
    serviceMonitor: { enabled: true, labels: { ...PROMETHEUS_SELECTOR_LABELS } },
    resources: EXPORTER_RESOURCES,
    ...hardened,
  };
}

/** The subset of prometheus-pushgateway 3.x values the platform sets. */
export interface PushgatewayValues {
  containerSecurityContext: typeof hardened.securityContext & { runAsNonRoot: boolean; runAsGroup: number; seccompProfile: { type: "RuntimeDefault" } };
  securityContext: { runAsGroup: number; seccompProfile: { type: "RuntimeDefault" } };
  serviceMonitor: { enabled: boolean; honorLabels: boolean; additionalLabels: Record<string, string> };
  persistentVolume: { enabled: boolean; size: string; storageClass: string };
  resources: ResourceSettings;
  automountServiceAccountToken: false;
}

/**
 * The Pushgateway receives the backup jobs' last-success/failure gauges. Its store is persisted, because a
 * restart would otherwise forget the last success and fire BackupTooOld for every database at once.
 */
export function pushgatewayValues(storageClass: string): PushgatewayValues {
  return {
    // The chart sets only a pod securityContext (without a seccomp profile, which PSA restricted requires);
    // its container default is empty, and the pod's names a user (nobody) but no group. It writes only to its PVC.
    containerSecurityContext: { ...hardened.securityContext, runAsNonRoot: true, runAsGroup: CHART_POD_GROUP, seccompProfile: { type: "RuntimeDefault" } },
    // The pod's too (Helm merges it with the chart's user, fsGroup and runAsNonRoot).
    securityContext: { runAsGroup: CHART_POD_GROUP, seccompProfile: { type: "RuntimeDefault" } },
    serviceMonitor: { enabled: true, honorLabels: true, additionalLabels: { ...PROMETHEUS_SELECTOR_LABELS } },
    persistentVolume: { enabled: true, size: "1Gi", storageClass },
    resources: EXPORTER_RESOURCES,
    // It only receives pushes and serves them: no token for the Kubernetes API (the chart mounts one by default).
    automountServiceAccountToken: false,
  };
}
