import { z } from "zod";
import { AlertRoutingSchema, SLACK_CHANNEL } from "./alert-routing-schema";
import { AlertThresholdsSchema } from "./alert-thresholds-schema";
import { AppsSchema } from "./apps-schema";
import { cronScheduleProblem, DNS_LABEL, DNS_NAME, durationSeconds, QUANTITY } from "./formats";

/**
 * The schema of every `platform:*` key a stack file may set. It is strict at every level, so a typo in a
 * key is reported instead of silently ignored. Defaults live in Pulumi.yaml (the CLI merges them), never here.
 */

const dnsLabel = (what: string) =>
  z.string().regex(DNS_LABEL, { error: `must be a DNS label (${what}: lower-case letters, digits and '-', at most 63)` });

const quantity = z.string().regex(QUANTITY, { error: "must be a Kubernetes quantity such as 250m, 2, 512Mi or 4Gi" });

const duration = z.string().refine((v) => durationSeconds(v) !== undefined && durationSeconds(v)! > 0, {
  error: "must be a Prometheus duration such as 30s, 5m, 12h or 30d",
});

const wholeDays = duration.refine((v) => durationSeconds(v)! % 86400 === 0, { error: "must be a whole number of days, e.g. 7d or 30d" });

const cronSchedule = z.string().superRefine((value, ctx) => {
  const problem = cronScheduleProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `is not a Kubernetes CronJob schedule: ${problem}` });
});

const email = z.email({ error: "must be an email address" });

const cpuMemory = z.strictObject({ cpu: quantity, memory: quantity });

export const NamespaceSchema = z.strictObject({
  /** Namespace name. */
  name: dnsLabel("namespace"),
  /** Owning team; recorded as a label and used by alert routing. */
  team: dnsLabel("team"),
  /** Pod Security Admission level enforced in the namespace. */
  podSecurity: z.enum(["privileged", "baseline", "restricted"]),
  quota: z.strictObject({
    requestsCpu: quantity,
    requestsMemory: quantity,
    limitsCpu: quantity,
    limitsMemory: quantity,
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
    /** Cap on TSDB size on disk (Prometheus' retentionSize, e.g. 45GB); keep it below storageSize. */
    retentionSize: z.string().regex(/^\d+(B|KB|MB|GB|TB|PB)$/, { error: "must be a Prometheus size such as 45GB" }),
    storageSize: quantity,
    scrapeInterval: duration,
    resources,
  }),
  alertmanager: z.strictObject({ replicas: replicas(5), storageSize: quantity, resources }),
  // Grafana keeps its state in SQLite on a ReadWriteOnce volume; more replicas would need an external
  // database, which this platform does not run, so one replica is the only honest setting.
  grafana: z.strictObject({ replicas: z.literal(1, { error: "must be 1 (Grafana state lives in SQLite on a ReadWriteOnce volume)" }), storageSize: quantity, resources }),
  loki: z.strictObject({
    /** filesystem: one Loki with a PersistentVolume; s3: object storage in a bucket this program creates. */
    storage: z.enum(["filesystem", "s3"]),
    replicas: replicas(5),
    storageSize: quantity,
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
  password: z.union([z.literal("generated"), z.strictObject({ existingSecret: existingSecretRef })]),
  backup: z.strictObject({
    enabled: z.boolean(),
    /** Tables the restore drill counts rows in (schema.table); each must hold at least one row. */
    drillTables: z.array(z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/, { error: "must be schema.table, e.g. public.orders" })),
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
  }),
  exporter: z.boolean(),
});

export const CacheSchema = z.strictObject({
  name: dnsLabel("cache entry"),
  host: hostName,
  port: z.number().int().min(1).max(65535),
  /** Secret holding the Redis password in the monitoring namespace; omit for Redis without AUTH. */
  passwordSecret: existingSecretRef.optional(),
});

/** Keys whose values are Pulumi secrets. They are read with getSecret and never parsed here. */
export const SECRET_KEYS = ["slackWebhookUrl", "pagerdutyRoutingKey", "smtpPassword", "sentryDsn"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

export const StackSettingsSchema = z.strictObject({
  environment: z.enum(["staging", "production"]),
  clusterName: dnsLabel("cluster"),
  /** Base DNS domain of the stack; hostnames of Grafana and apps are built under it. */
  domain: z.string().regex(DNS_NAME, { error: "must be a DNS name such as staging.example.com" }),
  /** Team that owns the platform itself. */
  team: dnsLabel("team"),
  logLevel: z.enum(["DEBUG", "INFO", "WARNING", "ERROR"]),
  traceSamplingPercent: z.number().int().min(0).max(100),
  metricsRetention: duration,
  logRetention: wholeDays,
  backupRetention: wholeDays,
  /** Complete backups per database kept whatever their age, so failing backups never expire the last good ones. */
  backupKeepLast: z.number().int().min(1, { error: "must keep at least one complete backup" }),
  /** Second AWS region of the off-site backup replica; empty for none (production requires one). */
  backupReplicaRegion: z.string().regex(/^$|^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { error: "must be an AWS region such as eu-central-1, or empty for no replica" }),
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
  /** Namespace of the cluster's ingress controller (not managed here); apps admit traffic from it. */
  ingressControllerNamespace: dnsLabel("namespace"),
  /** StorageClass of every PersistentVolumeClaim the platform requests. */
  storageClass: dnsLabel("storage class"),
  /** IAM OIDC provider of the EKS cluster, for IRSA roles (Loki on S3, backups). Empty when unused. */
  oidcProviderArn: z.string().regex(/^$|^arn:aws:iam::\d{12}:oidc-provider\/[a-z0-9./-]+$/i, {
    error: "must be an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
  }),
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
  smtpSmarthost: z.string().regex(/^[a-z0-9.-]+:\d{1,5}$/, { error: "must be host:port, e.g. smtp.example.com:587" }),
  slackChannel: z.string().regex(SLACK_CHANNEL, { error: "must be a Slack channel such as #alerts" }),
  pagerdutyEnabled: z.boolean(),
  /** Thresholds and `for` durations of the platform's alert rules (components/alerting/rules). */
  alertThresholds: AlertThresholdsSchema,
  /** Team receivers and notification timing of Alertmanager (components/alerting/alertmanager). */
  alertRouting: AlertRoutingSchema,
});

export type StackSettings = z.infer<typeof StackSettingsSchema>;
export type NamespaceSettings = z.infer<typeof NamespaceSchema>;
export type MonitoringSettings = z.infer<typeof MonitoringSchema>;
export type DatabaseSettings = z.infer<typeof DatabaseSchema>;
export type CacheSettings = z.infer<typeof CacheSchema>;
export type ResourceSettings = z.infer<typeof resources>;

/** Which secrets must be set, given the plain settings: production pages and mails, staging may stay quiet. */
export function requiredSecrets(settings: Pick<StackSettings, "environment" | "pagerdutyEnabled">): SecretKey[] {
  const required: SecretKey[] = [];
  if (settings.environment === "production") required.push("slackWebhookUrl", "smtpPassword");
  if (settings.pagerdutyEnabled) required.push("pagerdutyRoutingKey");
  return required;
}
