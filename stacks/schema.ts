import { z } from "zod";
import { positiveDuration as duration } from "./duration-schema";
import { AlertRoutingSchema, SLACK_CHANNEL } from "./alert-routing-schema";
import { AlertThresholdsSchema } from "./alert-thresholds-schema";
import { AppsSchema, LOG_LEVELS } from "./apps-schema";
import { AWS_REGION, CPU_QUANTITY, cronScheduleProblem, DNS_LABEL, DNS_NAME, durationSeconds, MEMORY_QUANTITY } from "./formats";

/**
 * The schema of every `platform:*` key a stack file may set. It is strict at every level, so a typo in a
 * key is reported instead of silently ignored. Defaults live in Pulumi.yaml (the CLI merges them), never here.
 */

const dnsLabel = (what: string) =>
  z.string().regex(DNS_LABEL, { error: `must be a DNS label (${what}: lower-case letters, digits and '-', at most 63)` });

const cpu = z.string().regex(CPU_QUANTITY, { error: "must be a CPU quantity such as 250m, 0.5 or 2 (cores, or millicores with m)" });

const memory = z.string().regex(MEMORY_QUANTITY, { error: "must be a memory quantity such as 512Mi, 4Gi or 1G (bytes; m is not a unit of memory)" });
/** A volume's size: bytes, like memory, and above zero (the API server refuses a claim of no storage). A text that is no quantity has its error already. */
const volumeSize = z
  .string()
  .regex(MEMORY_QUANTITY, { error: "must be a volume size such as 20Gi, 500G or 1Ti (bytes; m is not a unit of size)" })
  .refine((size) => !MEMORY_QUANTITY.test(size) || parseFloat(size) > 0, { error: "must be a volume size above zero such as 20Gi: the API server refuses a claim of no storage" });

/** Whether the port of a `host:port` text or a URL's authority, if it names one, is one a TCP connection can use. */
const portInRange = (text: string) => {
  const port = /^(?:https:\/\/)?[a-z0-9.-]+:(\d+)(?:\/|$)/.exec(text)?.[1];
  return port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
};

// A text that is no duration at all has its error already.
const wholeDays = duration.refine((v) => (durationSeconds(v) ?? 0) % 86400 === 0, { error: "must be a whole number of days, e.g. 7d or 30d" });

const cronSchedule = z.string().superRefine((value, ctx) => {
  const problem = cronScheduleProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `is not a CronJob schedule the platform takes: ${problem}` });
});

const email = z.email({ error: "must be an email address" });

const cpuMemory = z.strictObject({ cpu, memory });

// Kubernetes' own namespaces: every entry gets a default-deny NetworkPolicy, a quota and a LimitRange, which
// would cut off kube-dns and the cluster's add-ons (kube-system) or whatever users left in `default`.
const KUBERNETES_NAMESPACE = /^(default|kube-.*)$/;

export const NamespaceSchema = z.strictObject({
  /** Namespace name; not one of Kubernetes' own (default, kube-*). */
  name: dnsLabel("namespace").refine((name) => !KUBERNETES_NAMESPACE.test(name), {
    error: "is Kubernetes' own namespace (default, kube-system, kube-public, kube-node-lease or another kube-*); the platform would put its default-deny NetworkPolicies and quota on it: name a namespace of its own",
  }),
  /** Owning team; recorded as a label and used by alert routing. */
  team: dnsLabel("team"),
  /** Pod Security Admission level enforced in the namespace. */
  podSecurity: z.enum(["privileged", "baseline", "restricted"]),
  quota: z.strictObject({
    requestsCpu: cpu,
    requestsMemory: memory,
    limitsCpu: cpu,
    limitsMemory: memory,
    pods: z.number().int().min(1).max(10000),
    persistentVolumeClaims: z.number().int().min(0).max(1000),
    loadBalancers: z.number().int().min(0).max(100),
  }),
  limitRange: z.strictObject({
    defaultRequest: cpuMemory,
    defaultLimit: cpuMemory,
    maxLimit: cpuMemory,
  }),
  /** Other namespaces whose pods may connect in (same-namespace and monitoring scrapes are always allowed). */
  ingressFromNamespaces: z.array(dnsLabel("namespace")),
  /** Egress beyond DNS and the namespace itself. */
  egress: z.strictObject({
    /** Any destination outside the cluster's pod network, e.g. SaaS webhooks, S3, the Kubernetes API. */
    internet: z.boolean(),
    /** Every namespace in the cluster (Prometheus scraping, blackbox probes). */
    allNamespaces: z.boolean(),
    /** Named namespaces only. */
    namespaces: z.array(dnsLabel("namespace")),
  }),
});

const resources = z.strictObject({ requests: cpuMemory, limits: cpuMemory });

const replicas = (max: number) => z.number().int().min(1).max(max);

export const MonitoringSchema = z.strictObject({
  prometheus: z.strictObject({
    replicas: replicas(5),
    /** Cap on TSDB size on disk (Prometheus' retentionSize, e.g. 45GB); at most 85% of storageSize. */
    retentionSize: z.string().regex(/^\d+(B|KB|MB|GB|TB|PB)$/, { error: "must be a Prometheus size such as 45GB" }),
    storageSize: volumeSize,
    /**
     * How often Prometheus scrapes its targets and evaluates every rule. At most 1m: kube-prometheus-stack's node
     * and network rules take rates over 2m windows, which need two scrapes in them.
     */
    scrapeInterval: duration.refine((text) => (durationSeconds(text) ?? 0) <= 60, {
      error:
        "must be at most 1m: Prometheus scrapes and evaluates every rule at this interval, and the chart's node and network rules take rates over 2m windows, " +
        "which need two scrapes in them (with a longer interval they return nothing and their alerts never fire)",
    }),
    resources,
  }),
  alertmanager: z.strictObject({ replicas: replicas(5), storageSize: volumeSize, resources }),
  // Grafana keeps users and sessions in a per-pod SQLite database (on no volume: dashboards and datasources
  // are code); more replicas would need an external database, which this platform does not run.
  grafana: z.strictObject({ replicas: z.literal(1, { error: "must be 1 (Grafana keeps its users and sessions in a per-pod SQLite database)" }), resources }),
  loki: z
    .strictObject({
      /** filesystem: one Loki with a PersistentVolume; s3: object storage in a bucket this program creates. */
      storage: z.enum(["filesystem", "s3"]),
      /** At most 1 with filesystem storage. */
      replicas: replicas(5),
      storageSize: volumeSize,
      resources,
    })
    .superRefine((loki, ctx) => {
      // Each replica would keep its own chunks on its own volume, so a query sees a third of the logs: the
      // Loki chart refuses to render more than one monolithic replica without object storage.
      if (loki.storage === "filesystem" && loki.replicas > 1) {
        ctx.addIssue({
          code: "custom",
          path: ["replicas"],
          input: loki.replicas,
          message: "must be 1 with storage filesystem: each replica would keep its own logs on its own volume, and the Loki chart refuses more than one replica without object storage; set storage s3 to run more",
        });
      }
    }),
  /** Tempo, monolithic: one replica (a single binary cannot share its ingester ring); the WAL lives on its volume. */
  tempo: z.strictObject({
    /** filesystem: traces on Tempo's PersistentVolume; s3: blocks in a bucket this program creates (WAL stays on the volume). */
    storage: z.enum(["filesystem", "s3"]),
    storageSize: volumeSize,
    resources,
  }),
  alloy: z.strictObject({ resources }),
  blackbox: z.strictObject({ replicas: replicas(5), resources }),
});

const postgresIdentifier = (what: string) =>
  z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: `must be a lower-case PostgreSQL identifier (${what})` });

// RDS identifiers: a letter first, letters, digits and single hyphens, at most 63; RDS stores them lower-case.
const rdsIdentifier = z.string().regex(/^(?=.{1,63}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/, { error: "must be an RDS identifier such as orders-db (lower-case letters, digits, single hyphens)" });

const hostName = z.string().regex(DNS_NAME, { error: "must be a DNS name such as orders-db.example.internal" });

// At least ten minutes: a dump, its upload and its check need that much even for a small database, and a
// deadline of seconds would stop every run. Whole seconds, as activeDeadlineSeconds takes them. A text that
// is no duration at all has its error already.
const runDeadline = duration.refine((v) => durationSeconds(v) === undefined || (Number.isInteger(durationSeconds(v)) && durationSeconds(v)! >= 600), {
  error: "must be a whole number of seconds and at least 10m, e.g. 4h (a dump, its upload and its check take minutes)",
});

// The drill's row check (pg-restore-drill.sh's DRILL_MIN_ROWS): a count of rows, and 0 would pass an empty table.
const DRILL_MIN_ROWS_ERROR = "must be a whole number of rows of at least 1, e.g. 1000: a restored drill table with fewer fails the drill";
const drillMinRows = z.number({ error: DRILL_MIN_ROWS_ERROR }).int({ error: DRILL_MIN_ROWS_ERROR }).min(1, { error: DRILL_MIN_ROWS_ERROR });

const existingSecretRef = z.strictObject({ name: dnsLabel("secret"), key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "must be a Secret key" }) });

export const DatabaseSchema = z.strictObject({
  /** Logical name; names the backup CronJob, the exporter release and the backup prefix. */
  name: dnsLabel("database entry"),
  host: hostName,
  port: z.number().int().min(1).max(65535),
  database: postgresIdentifier("database"),
  /** Role the backups and the exporter log in as (needs pg_read_all_data and pg_monitor). */
  user: postgresIdentifier("role"),
  sslMode: z.enum(["disable", "require", "verify-full"]),
  /**
   * generated: the platform owns the role's password (random, stored in Secrets it creates; the DBA sets it
   * on the role once). existingSecret: a Secret of that name and key already exists in the backup and
   * monitoring namespaces.
   */
  password: z.union([z.literal("generated"), z.strictObject({ existingSecret: existingSecretRef })], {
    error: 'must be "generated" or {existingSecret: {name: <Secret>, key: <key>}}; the password itself never goes in the stack file',
  }),
  backup: z.strictObject({
    enabled: z.boolean(),
    /**
     * Size of the volume each backup and restore-drill run keeps one dump on (custom format, compressed);
     * a run whose dump does not fit fails with "scratch area full". Default 20Gi.
     */
    dumpVolumeSize: volumeSize.optional(),
    /** Size of the restore drill's PostgreSQL data volume, which holds the whole restored database. Default 40Gi. */
    restoreVolumeSize: volumeSize.optional(),
    /**
     * Longest one backup run may take, its retry included (the Job's activeDeadlineSeconds): a run still going
     * then is stopped and fails. alertThresholds.backups.maxAge must allow for it. Default 4h.
     */
    runDeadline: runDeadline.optional(),
    /** Tables the restore drill counts rows in (schema.table), at least one when enabled; each must hold at least drillMinRows rows. */
    drillTables: z.array(z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, { error: "must be schema.table, e.g. public.orders" })),
    /**
     * The fewest rows each drill table of the restored backup may hold; fewer fails the drill (RestoreDrillFailed),
     * so a backup of a database emptied by mistake is caught within a week. Default 1.
     */
    drillMinRows: drillMinRows.optional(),
    /**
     * The RDS cluster or instance whose automated backups (point-in-time recovery) cover the time between two
     * dumps. Set, it makes the database's recovery point RDS's five minutes instead of the backup schedule's
     * interval; the program reads the cluster's or instance's backup retention and a policy rule refuses zero.
     */
    pointInTimeRecovery: z
      .union([z.strictObject({ rdsCluster: rdsIdentifier }), z.strictObject({ rdsInstance: rdsIdentifier })], {
        error: "must name one RDS cluster or instance: {rdsCluster: <identifier>} or {rdsInstance: <identifier>}",
      })
      .optional(),
  }).superRefine((backup, ctx) => {
    // The drill restores the dump and counts these tables' rows: with none it fails every week.
    if (backup.enabled && backup.drillTables.length === 0) {
      ctx.addIssue({ code: "custom", path: ["drillTables"], input: backup.drillTables, message: "must name at least one table (schema.table) when backups are enabled: the weekly restore drill checks its rows" });
    }
  }),
  exporter: z.boolean(),
});

export const CacheSchema = z.strictObject({
  name: dnsLabel("cache entry"),
  host: hostName,
  port: z.number().int().min(1).max(65535),
  /**
   * Pulumi secret (config key) holding the Redis AUTH password; the platform stores it as Secret
   * redis-<name>-auth in the monitoring namespace for the exporter. Omit for Redis without AUTH.
   */
  passwordConfigKey: z.string().regex(/^[a-z][A-Za-z0-9]*$/, { error: "must be a Pulumi config key such as redisSessionsPassword" }).optional(),
});

/**
 * Namespaces the platform's edge controllers run in, fixed so IRSA trust policies, NetworkPolicies and the
 * Gateway's allowed routes agree on them. Each must be a `namespaces` entry (its quota, limits, PSA level).
 */
export const PLATFORM_SYSTEM_NAMESPACES = {
  gateway: "Envoy Gateway, its proxies and the stack's Gateway",
  "cert-manager": "cert-manager, which issues the public certificates",
  "external-dns": "external-dns, which publishes the public DNS records",
  "external-secrets": "the External Secrets Operator and Reloader",
} as const;
export type PlatformSystemNamespace = keyof typeof PLATFORM_SYSTEM_NAMESPACES;

/** Grafana's public hostname under the stack's domain. */
export function grafanaHostname(domain: string): string {
  return `grafana.${domain}`;
}

/** Keys whose values are Pulumi secrets. They are read with getSecret and never parsed here. */
export const SECRET_KEYS = ["slackWebhookUrl", "pagerdutyRoutingKey", "smtpPassword", "sentryDsn", "heartbeatUrl"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** An EKS cluster's ARN, which `aws eks update-kubeconfig` also uses as the kubeconfig context's name. */
export const EKS_CLUSTER_ARN = /^arn:aws:eks:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9][A-Za-z0-9_-]*)$/;

export const StackSettingsSchema = z.strictObject({
  environment: z.enum(["staging", "production"]),
  clusterName: dnsLabel("cluster"),
  /**
   * The kubeconfig context the stack deploys through (for EKS, the cluster ARN `aws eks update-kubeconfig`
   * names it by). Explicit, so a stack never lands in whichever cluster the kubeconfig happens to point at.
   */
  kubeContext: z.string().regex(/^[^\s]{1,253}$/, { error: "must be the name of a kubeconfig context, e.g. arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu-west-1" }),
  /** The only AWS account the stack's provider may touch (allowedAccountIds). */
  awsAccountId: z.string().regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id, quoted in YAML (e.g. "012345678901")' }),
  /** Base DNS domain of the stack; hostnames of Grafana and apps are built under it. */
  domain: z
    .string()
    .regex(DNS_NAME, { error: "must be a DNS name such as staging.example.com" })
    // Grafana's hostname is built under it, and the Gateway's listener and route refuse a hostname over 253 characters.
    .refine((domain) => !DNS_NAME.test(domain) || DNS_NAME.test(grafanaHostname(domain)), {
      error: "must be at most 245 characters: Grafana's hostname grafana.<domain> is built under it, and the API server refuses a Gateway listener or HTTPRoute hostname over 253 characters",
    }),
  /** Team that owns the platform itself. */
  team: dnsLabel("team"),
  /** Log level of every app (LOG_LEVEL) unless the app sets its own. */
  logLevel: z.enum(LOG_LEVELS),
  /** Percent of new traces every app samples (OTEL_TRACES_SAMPLER_ARG) unless the app sets its own. */
  traceSamplingPercent: z.number().int().min(0).max(100),
  metricsRetention: duration,
  logRetention: wholeDays,
  /** How long Tempo keeps traces (compactor block retention); whole days. */
  traceRetention: wholeDays,
  backupRetention: wholeDays,
  /** Complete backups per database kept whatever their age, so failing backups never expire the last good ones. */
  backupKeepLast: z.number().int().min(1, { error: "must keep at least one complete backup" }),
  /** Second AWS region of the off-site backup replica; empty for none (production requires one). */
  backupReplicaRegion: z.string().refine((region) => region === "" || AWS_REGION.test(region), { error: "must be an AWS region such as eu-central-1, or empty for no replica" }),
  /** Longest acceptable restore of a database from its newest backup; the weekly drill measures it and alerts above it. */
  recoveryTimeObjective: duration,
  backupSchedule: cronSchedule,
  restoreDrillSchedule: cronSchedule,
  /** Image of the backup and drill jobs: bash, pg_dump/pg_restore (major >= the servers'), awscli v2, curl. */
  backupImage: z.string().regex(/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+(:[0-9][-.\w]*|@sha256:[0-9a-f]{64})$/, {
    error: "must be an immutable image reference (a version tag like 15.18-1 or a digest)",
  }),
  /** Namespace where Prometheus runs; every namespace admits scrapes from it. */
  monitoringNamespace: dnsLabel("namespace"),
  /** Namespace of the backup and restore-drill CronJobs. */
  backupNamespace: dnsLabel("namespace"),
  /**
   * Namespace of the node agents (node-exporter, Alloy): the one namespace whose pods reach into the host
   * (host network and PID, hostPath), so it alone enforces the privileged PSA level.
   */
  nodeAgentsNamespace: dnsLabel("namespace"),
  /**
   * What kind of cluster the stack runs on. It decides which components Prometheus can scrape: EKS hides its
   * control plane (controller manager, scheduler, etcd) and binds kube-proxy's metrics to localhost.
   */
  clusterFlavour: z.enum(["eks", "self-managed"]),
  /** Most nodes the cluster may scale to; namespace quotas must hold every DaemonSet at that size. */
  maxNodes: z.number().int().min(1).max(5000),
  /** StorageClass of every PersistentVolumeClaim the platform requests. */
  storageClass: dnsLabel("storage class"),
  /** IAM OIDC provider of the EKS cluster, for IRSA roles (Loki on S3, backups). Empty when unused. */
  oidcProviderArn: z.string().regex(/^$|^arn:aws:iam::\d{12}:oidc-provider\/[a-z0-9./-]+$/i, {
    error: "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
  }),
  /** Route 53 hosted zone of `domain`: external-dns and cert-manager's DNS-01 solver may change records there only. */
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,32}$/, { error: "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" }),
  /** Let's Encrypt endpoint the ClusterIssuer uses: staging (untrusted, generous rate limits) or production. */
  certificateIssuer: z.enum(["staging", "production"]),
  /** Address Let's Encrypt sends expiry and account notices to (the ACME account's contact). */
  acmeEmail: email,
  /**
   * Secrets Manager path the stack's apps may read (`<prefix>/*`), e.g. platform/production: the External
   * Secrets Operator's IAM role can read nothing else.
   */
  secretsManagerPrefix: z.string().regex(/^[A-Za-z0-9_+=.@-]+(\/[A-Za-z0-9_+=.@-]+)*$/, {
    error: "must be a Secrets Manager path such as platform/production (no wildcard, no leading or trailing /)",
  }),
  /** The Gateway's data plane (Envoy proxies behind the NLB): how many, and each one's resources. */
  gateway: z.strictObject({ replicas: replicas(20), resources }),
  monitoring: MonitoringSchema,
  /** PostgreSQL databases the platform backs up and monitors. */
  databases: z.array(DatabaseSchema),
  /** Redis instances the platform monitors. */
  caches: z.array(CacheSchema),
  /** Apps deployed blue-green (components/apps); per-app secrets are the keys their secretEnv names. */
  apps: AppsSchema,
  namespaces: z.array(NamespaceSchema).min(1, { error: "must list at least one namespace" }),
  alertEmailTo: email,
  alertEmailFrom: email,
  smtpSmarthost: z
    .string()
    // Any number of digits: portInRange says what is wrong with a port past 65535.
    .regex(/^[a-z0-9.-]+:\d+$/, { error: "must be host:port, e.g. smtp.example.com:587" })
    .refine(portInRange, { error: "must name a port from 1 to 65535, e.g. smtp.example.com:587" }),
  slackChannel: z.string().regex(SLACK_CHANNEL, { error: "must be a Slack channel such as #alerts" }),
  pagerdutyEnabled: z.boolean(),
  /**
   * Where the alerts' runbook links point: the runbooks folder of this repository as the team hosts it.
   * An alert links to `<runbookBaseUrl>/<file>.md#<alert>`.
   */
  runbookBaseUrl: z
    .string()
    .regex(/^https:\/\/[a-z0-9.-]+(:\d+)?(\/[^\s?#]*[^\s?#/])?$/, {
      error: "must be an https:// URL without a trailing slash, query or fragment, such as https://github.com/acme/platform/blob/main/components/alerting/runbooks",
    })
    .refine(portInRange, { error: "must name a port from 1 to 65535, if it names one" }),
  /** Thresholds and `for` durations of the platform's alert rules (components/alerting/rules). */
  alertThresholds: AlertThresholdsSchema,
  /** Team receivers and notification timing of Alertmanager (components/alerting/alertmanager). */
  alertRouting: AlertRoutingSchema,
});

export type StackSettings = z.infer<typeof StackSettingsSchema>;
/** Settings validated from a stack file, with the AWS region its explicit provider targets. */
export type ValidatedSettings = StackSettings & { readonly awsRegion: string };

/** One offending key: its path as a user would write it with `pulumi config set --path`, and why. */
export interface ConfigProblem {
  readonly path: string;
  readonly reason: string;
}
export type NamespaceSettings = z.infer<typeof NamespaceSchema>;
export type MonitoringSettings = z.infer<typeof MonitoringSchema>;
export type DatabaseSettings = z.infer<typeof DatabaseSchema>;
export type CacheSettings = z.infer<typeof CacheSchema>;
export type ResourceSettings = z.infer<typeof resources>;

/** Config keys the caches read their AUTH passwords from (secrets), from a validated or a raw caches list. */
export function cacheSecretKeys(caches: unknown): string[] {
  const list = Array.isArray(caches) ? caches : [];
  const keys = list.map((c) => (c !== null && typeof c === "object" ? (c as { passwordConfigKey?: unknown }).passwordConfigKey : undefined));
  return [...new Set(keys.filter((k): k is string => typeof k === "string"))].sort();
}

/**
 * Which secrets must be set, given the plain settings: production pages, mails and has a dead man's switch
 * (Watchdog's heartbeat to a service outside the cluster), staging may stay quiet.
 */
export function requiredSecrets(settings: Pick<StackSettings, "environment" | "pagerdutyEnabled">): SecretKey[] {
  const required: SecretKey[] = [];
  if (settings.environment === "production") required.push("slackWebhookUrl", "smtpPassword", "heartbeatUrl");
  if (settings.pagerdutyEnabled) required.push("pagerdutyRoutingKey");
  return required;
}
