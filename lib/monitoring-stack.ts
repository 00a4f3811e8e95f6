import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { ALERTMANAGER_CONFIG_SECRET } from "../components/core/alertmanager-config-secret";
import { verifiesServerCertificate } from "../components/databases/server-ca";
import { MonitoringStack as InternalMonitoringStack } from "../components/monitoring/monitoring-stack";
import type { ConfigProblem } from "../stacks/parse";
import { AWS_REGION } from "../stacks/formats";
import { CacheSchema, MonitoringSchema, NamespaceSchema, StackSettingsSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import type { MonitoringSettings } from "./monitoring-settings";
import { type PostgresConnection, postgresConnectionShape } from "./postgres-connection";
import type { ClusterFlavour, Environment } from "./types";

/**
 * A PostgreSQL database to run a postgres-exporter for: its connection, with the role (it needs pg_monitor)
 * and the password Secret in the monitoring namespace. Kept as a name of 0.3.0; the type is PostgresConnection.
 */
export type MonitoredDatabase = PostgresConnection;

/** A Redis instance to run a redis-exporter for. */
export interface MonitoredCache {
  /** Name of the entry (a DNS label): names the exporter's release and its Secret redis-<name>-auth. */
  name: string;
  /** Host name of the server. */
  host: string;
  /** Port of the server (1 to 65535). */
  port: number;
  /** The AUTH password, best a Pulumi secret: stored as Secret redis-<name>-auth for the exporter. Default: none (Redis without AUTH). */
  password?: pulumi.Input<string>;
}

/** Where Loki and Tempo keep their data when `monitoring.loki.storage` or `monitoring.tempo.storage` is s3. */
export interface MonitoringObjectStorage {
  /** Region of the AWS provider the component is given: the buckets' region. */
  region: string;
  /** ARN of the EKS cluster's IAM OIDC provider: Loki and Tempo reach their buckets through IRSA roles. */
  oidcProviderArn: string;
}

export interface MonitoringStackArgs {
  /** Environment of the stack: production protects the buckets and spreads replicas over nodes. */
  environment: Environment;
  /** Name of the cluster: the `cluster` label of every series and the dashboards' title. */
  clusterName: string;
  /** Base DNS domain of the stack; Grafana's root URL is https://grafana.<domain>. */
  domain: string;
  /** Replicas, sizes and resources of Prometheus, Alertmanager, Grafana, Loki, Tempo, Alloy and the blackbox exporter, in the shape of a stack file's `monitoring` (Pulumi.production.yaml has a complete example). */
  monitoring: MonitoringSettings;
  /** Kind of cluster: eks (control plane hidden, kube-proxy metrics on localhost: not scraped) or self-managed. Default: eks. */
  clusterFlavour?: ClusterFlavour;
  /** Namespace of Prometheus, Alertmanager, Grafana, Loki, Tempo and the exporters (it must exist). Default: monitoring. */
  namespace?: string;
  /** Namespace of node-exporter and Alloy, the pods with host access (it must exist and enforce the privileged PSA level). Default: node-agents. */
  nodeAgentsNamespace?: string;
  /** StorageClass of every PersistentVolumeClaim. Default: gp3. */
  storageClass?: string;
  /** How long Prometheus keeps samples (Prometheus duration). Default: 30d. */
  metricsRetention?: string;
  /** How long Loki keeps logs (whole days). Default: 30d. */
  logRetention?: string;
  /** How long Tempo keeps traces (whole days). Default: 14d. */
  traceRetention?: string;
  /** An existing Secret in `namespace` whose key alertmanager.yaml is Alertmanager's configuration (the platform's AlertmanagerConfigSecret writes it). Default: alertmanager-platform-config. */
  alertmanagerConfigSecret?: string;
  /** Namespaces whose pods send spans to Alloy: NetworkPolicies open that path, OTLP ports only (the namespaces must exist). Default: none. */
  appNamespaces?: string[];
  /** Databases to run a postgres-exporter for; each role needs pg_monitor, each password Secret lives in `namespace`. Default: none. */
  databases?: PostgresConnection[];
  /** An image holding the database servers' CA bundle at /etc/ssl/certs/postgres-server-ca.pem (the backup image of components/backups/image): copied into the exporter of each database whose sslMode is verify-full; required then. Default: none. */
  serverCaImage?: string;
  /** Redis instances to run a redis-exporter for. Default: none. */
  caches?: MonitoredCache[];
  /** Region and OIDC provider for Loki's and Tempo's buckets; required when either stores in s3, refused otherwise. Default: none. */
  objectStorage?: MonitoringObjectStorage;
}

/** The documented defaults, which are Pulumi.yaml's for the platform's own stacks. */
export const MONITORING_STACK_DEFAULTS = {
  clusterFlavour: "eks",
  namespace: "monitoring",
  nodeAgentsNamespace: "node-agents",
  storageClass: "gp3",
  metricsRetention: "30d",
  logRetention: "30d",
  traceRetention: "14d",
  alertmanagerConfigSecret: ALERTMANAGER_CONFIG_SECRET.name,
} as const;

const stackSchema = StackSettingsSchema.shape;
const d = MONITORING_STACK_DEFAULTS;
const cache = CacheSchema.shape;
const dnsLabel = NamespaceSchema.shape.name;

const MonitoringStackArgsSchema = z.strictObject({
  environment: stackSchema.environment,
  clusterName: stackSchema.clusterName,
  domain: stackSchema.domain,
  monitoring: MonitoringSchema,
  clusterFlavour: stackSchema.clusterFlavour.default(d.clusterFlavour),
  namespace: stackSchema.monitoringNamespace.default(d.namespace),
  nodeAgentsNamespace: stackSchema.nodeAgentsNamespace.default(d.nodeAgentsNamespace),
  storageClass: stackSchema.storageClass.default(d.storageClass),
  metricsRetention: stackSchema.metricsRetention.default(d.metricsRetention),
  logRetention: stackSchema.logRetention.default(d.logRetention),
  traceRetention: stackSchema.traceRetention.default(d.traceRetention),
  alertmanagerConfigSecret: dnsLabel.default(d.alertmanagerConfigSecret),
  appNamespaces: z.array(dnsLabel).default([]),
  databases: z.array(z.strictObject(postgresConnectionShape)).default([]),
  serverCaImage: stackSchema.backupImage.optional(),
  // The password is checked apart (passwordProblems), so that no message can ever quote it.
  caches: z.array(z.strictObject({ name: cache.name, host: cache.host, port: cache.port, password: z.unknown().optional() })).default([]),
  objectStorage: z
    .strictObject({
      region: z.string().regex(AWS_REGION, { error: "must be an AWS region such as eu-west-1" }),
      oidcProviderArn: stackSchema.oidcProviderArn.refine((v) => v !== "", { error: "is required (Loki and Tempo reach their buckets through IRSA roles)" }),
    })
    .optional(),
});
type ParsedArgs = z.output<typeof MonitoringStackArgsSchema>;

function duplicates(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/** What the schema cannot see: where object storage is needed, unique entries, and passwords that are strings. */
function crossProblems(a: ParsedArgs): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const s3 = [a.monitoring.loki.storage === "s3" ? "loki" : "", a.monitoring.tempo.storage === "s3" ? "tempo" : ""].filter(Boolean);
  if (s3.length > 0 && !a.objectStorage) problems.push({ path: "objectStorage", reason: `is required: monitoring.${s3.join(".storage and monitoring.")}.storage is s3` });
  if (s3.length === 0 && a.objectStorage) problems.push({ path: "objectStorage", reason: "is set, but neither monitoring.loki.storage nor monitoring.tempo.storage is s3" });
  for (const [list, names] of [
    ["databases", a.databases.map((x) => x.name)],
    ["caches", a.caches.map((x) => x.name)],
  ] as const) {
    for (const name of duplicates(names)) problems.push({ path: `${list}[${names.lastIndexOf(name)}].name`, reason: `repeats "${name}": each entry names its own exporter` });
  }
  a.databases.forEach((db, i) => {
    if (verifiesServerCertificate(db.sslMode) && a.serverCaImage === undefined) {
      problems.push({ path: `databases[${i}].sslMode`, reason: `${db.sslMode} checks the server's certificate: set serverCaImage, the image that carries the CA bundle` });
    }
  });
  a.caches.forEach((c, i) => {
    if (c.password !== undefined && typeof c.password !== "string" && !pulumi.Output.isInstance(c.password)) {
      problems.push({ path: `caches[${i}].password`, reason: "must be a string or a pulumi.Output<string> (best a Pulumi secret)" });
    }
  });
  return problems;
}

/** In-cluster URLs of the monitoring stack's services. */
export interface MonitoringUrls {
  /** Prometheus' HTTP API. */
  prometheus: string;
  /** Alertmanager's HTTP API. */
  alertmanager: string;
  /** Loki's gateway (Grafana's datasource). */
  loki: string;
  /** Loki's push endpoint. */
  lokiPush: string;
  /** The blackbox exporter, host:port. */
  blackboxExporter: string;
  /** The Pushgateway, where jobs push their metrics. */
  pushgateway: string;
  /** Tempo's query API (Grafana's datasource). */
  tempo: string;
  /** Tempo's OTLP gRPC receiver, host:port. */
  tempoOtlpGrpc: string;
}

/**
 * The observability stack of one cluster: kube-prometheus-stack (Prometheus, Alertmanager, Grafana,
 * node-exporter, kube-state-metrics), Loki, Tempo, Alloy (logs and OTLP spans), the blackbox exporter, the
 * Pushgateway, postgres and redis exporters, and the NetworkPolicies of Alloy's paths. Pass the Kubernetes
 * provider explicitly, and the AWS provider when Loki or Tempo store in s3 (`{ providers: { kubernetes, aws } }`).
 * The namespaces, Alertmanager's configuration Secret and the databases' password Secrets must exist. The
 * charts come from their Helm repositories.
 */
export class MonitoringStack extends pulumi.ComponentResource {
  /** Namespace of the stack. */
  public readonly namespace: string;
  /** In-cluster URLs of Prometheus, Alertmanager, Loki, Tempo, the blackbox exporter and the Pushgateway. */
  public readonly urls: MonitoringUrls;
  /** Name of Loki's bucket, when Loki stores in s3. */
  public readonly lokiBucketName?: pulumi.Output<string>;
  /** Name of Tempo's bucket, when Tempo stores in s3. */
  public readonly tempoBucketName?: pulumi.Output<string>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = parseArgs("MonitoringStack", name, MonitoringStackArgsSchema, args, crossProblems);
    super("platform:index:MonitoringStack", name, {}, opts);
    // The internal component reads caches' passwords by config key: each password gets a key of its own here.
    const cacheKey = (i: number) => `cache${i}Password`;
    const stack = new InternalMonitoringStack(
      name,
      {
        environment: a.environment,
        clusterFlavour: a.clusterFlavour,
        clusterName: a.clusterName,
        domain: a.domain,
        namespace: a.namespace,
        nodeAgentsNamespace: a.nodeAgentsNamespace,
        storageClass: a.storageClass,
        metricsRetention: a.metricsRetention,
        logRetention: a.logRetention,
        traceRetention: a.traceRetention,
        monitoring: a.monitoring,
        alertmanagerConfigSecret: a.alertmanagerConfigSecret,
        // Read only when Loki or Tempo store in s3, where crossProblems made objectStorage required.
        awsRegion: a.objectStorage?.region ?? "",
        oidcProviderArn: a.objectStorage?.oidcProviderArn ?? "",
        databases: a.databases.map(({ passwordSecret, ...rest }) => ({
          ...rest,
          password: { existingSecret: passwordSecret },
          backup: { enabled: false, drillTables: [] },
          exporter: true,
        })),
        caches: a.caches.map(({ name: cacheName, host, port, password }, i) => ({ name: cacheName, host, port, ...(password === undefined ? {} : { passwordConfigKey: cacheKey(i) }) })),
        cacheSecrets: Object.fromEntries(a.caches.flatMap((c, i) => (c.password === undefined ? [] : [[cacheKey(i), c.password as pulumi.Input<string>]]))),
        appNamespaces: a.appNamespaces,
        serverCaImage: a.serverCaImage,
      },
      { parent: this },
    );
    this.namespace = a.namespace;
    this.urls = stack.urls;
    this.lokiBucketName = stack.loki.bucket?.bucket;
    this.tempoBucketName = stack.tempo.bucket?.bucket;
    this.registerOutputs({ namespace: this.namespace, urls: this.urls, lokiBucketName: this.lokiBucketName, tempoBucketName: this.tempoBucketName });
  }
}
