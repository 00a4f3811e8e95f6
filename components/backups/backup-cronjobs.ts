import * as fs from "node:fs";
import * as path from "node:path";
import type { ConfigMap } from "kubernetes-types/core/v1";
import type { CronJob } from "kubernetes-types/batch/v1";
import type { Container, PodSpec, Volume } from "kubernetes-types/core/v1";
import { BACKUP_ATTEMPTS, BACKUP_STARTING_DEADLINE_SECONDS, restoreDrillDeadlineSeconds } from "../../stacks/backup-job-timing";
import { durationSeconds } from "../../stacks/formats";
import { withEphemeralStorage, withVolumes } from "../core/ephemeral-storage";
import { commonLabels } from "../core/labels";
import type { SecretKeyRef } from "../databases/credentials";
import { POSTGRES_SERVER_CA_FILE, verifiesServerCertificate } from "../databases/server-ca";

/** Plain data for one database's backup and restore-drill jobs. */
export interface PostgresBackupSpec {
  readonly environment: string;
  readonly namespace: string;
  /** Database entry name (DNS label). */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslMode: string;
  readonly password: SecretKeyRef;
  readonly schedule: string;
  /** Longest one backup run may take, its retry included (Prometheus duration of whole seconds): the Job's deadline. */
  readonly runDeadline: string;
  readonly drillSchedule: string;
  readonly drillTables: readonly string[];
  /** The fewest rows each drill table of the restored backup may hold (the drill's DRILL_MIN_ROWS). */
  readonly drillMinRows: number;
  /** Size of the per-run volume that holds one dump (backup and drill). */
  readonly dumpVolumeSize: string;
  /** Size of the drill PostgreSQL's data volume (the restored database). */
  readonly restoreVolumeSize: string;
  /** Age in days after which pg-backup.sh deletes a backup that is not among the newest `keepLast`. */
  readonly retentionDays: number;
  /** Complete backups always kept, whatever their age. */
  readonly keepLast: number;
  /** Longest acceptable restore (Prometheus duration); the drill may run twice as long before its deadline. */
  readonly recoveryTimeObjective: string;
  /** What the backups can lose, stated on the backup CronJob (recovery-objectives.ts). */
  readonly recoveryPoint: RecoveryPoint;
  /** StorageClass of the per-run scratch volumes. */
  readonly storageClass: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly kmsKeyArn: string;
  readonly serviceAccount: string;
  readonly pushgatewayUrl: string;
  /** Image with bash, pg_dump/pg_restore (major >= the server's), awscli v2 and curl. */
  readonly image: string;
}

/** A database's backup.drillMinRows when its entry names none: every drill table holds at least one row. */
export const DEFAULT_DRILL_MIN_ROWS = 1;

/** Volume sizes of a database whose entry names none: a dump of a small to medium database, and its restore. */
export const DEFAULT_VOLUME_SIZES = { dumpVolumeSize: "20Gi", restoreVolumeSize: "40Gi" } as const;

/** The recovery point of one database: the backup schedule's longest gap, or RDS point-in-time recovery. */
export interface RecoveryPoint {
  /** Prometheus duration: the most data a restore can lose. */
  readonly objective: string;
  /** Where it comes from, in words, e.g. `backup schedule "0 2 * * *" (UTC)`. */
  readonly source: string;
  /**
   * RDS automated-backup retention in days, read from RDS, when point-in-time recovery is relied on.
   * @default not relied on: the backup schedule sets the recovery point
   */
  readonly pointInTimeRecoveryDays?: number;
}

/** Annotations on the backup CronJob that state its objectives; the policy pack reads the PITR one. */
export const RECOVERY_ANNOTATIONS = {
  rpo: "platform.io/recovery-point-objective",
  rpoSource: "platform.io/recovery-point-source",
  pitrRetentionDays: "platform.io/point-in-time-recovery-retention-days",
  rto: "platform.io/recovery-time-objective",
} as const;

export const SCRIPTS_DIR = path.join(__dirname, "scripts");
export const BACKUP_SCRIPT = "pg-backup.sh";
export const DRILL_SCRIPT = "pg-restore-drill.sh";

// The drill restores into a throwaway PostgreSQL that runs beside it in the same pod (a native sidecar),
// so a drill never loads or needs CREATEDB on the production server. Same major as the dumps' server.
export const DRILL_POSTGRES_IMAGE = "postgres:15.18-bookworm";

/** The scripts as ConfigMap data, read from the repository so the cluster runs exactly what the tests ran. */
export function backupScriptsConfigMap(spec: Pick<PostgresBackupSpec, "environment" | "namespace" | "name">): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `pg-backup-scripts-${spec.name}`, namespace: spec.namespace, labels: labels(spec, "backup") },
    // pg-common.sh: the helpers both scripts source from their own directory, /scripts.
    data: Object.fromEntries([BACKUP_SCRIPT, DRILL_SCRIPT, "pg-common.sh"].map((file) => [file, fs.readFileSync(path.join(SCRIPTS_DIR, file), "utf8")])),
  };
}

function labels(spec: Pick<PostgresBackupSpec, "environment" | "name">, component: "backup" | "restore-drill"): Record<string, string> {
  return {
    ...commonLabels(spec.environment),
    "app.kubernetes.io/name": `pg-${component}`,
    "app.kubernetes.io/instance": spec.name,
    "platform.io/component": component,
    "platform.io/database": spec.name,
  };
}

/** The jobs' writable /tmp (HOME of awscli and libpq); dumps go to a volume of their own. */
const JOB_TMP_SIZE = "64Mi";
/** The drill's PostgreSQL /tmp; its data directory is a volume of its own. */
const DRILL_TMP_SIZE = "1Gi";

const restricted = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/**
 * A volume claimed for one pod and deleted with it. Unlike an emptyDir with a sizeLimit, which the kubelet
 * enforces by evicting the pod (no ERROR line, no failure metric), a full volume makes the write fail with
 * ENOSPC, and the scripts fail cleanly with "scratch area full".
 */
export function podVolume(name: string, size: string, spec: Pick<PostgresBackupSpec, "storageClass">): Volume {
  return {
    name,
    ephemeral: {
      volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], storageClassName: spec.storageClass, resources: { requests: { storage: size } } } },
    },
  };
}

/**
 * How long the kubelet waits after TERM (an eviction, a drain, the Job's deadline) before it kills the pod.
 * The scripts' clean-up after TERM is bounded: 10 s for the running step to stop (STEP_STOP_SECONDS), at
 * most four S3 calls of 12 s (HEAD and DELETE of the unconfirmed dump and manifest, each killed 2 s after its
 * 10 s timeout) and 10 s for the failure push: 68 s. The default 30 s would cut that short and lose the
 * failure line and metric.
 */
export const TERMINATION_GRACE_PERIOD_SECONDS = 90;

function jobPod(spec: PostgresBackupSpec, containers: Container[], extra: Partial<PodSpec> = {}): PodSpec {
  const volumes: Volume[] = [
    { name: "scripts", configMap: { name: `pg-backup-scripts-${spec.name}`, defaultMode: 0o555 } },
    // Sized for one compressed dump; the scripts report "scratch area full" when it is not enough.
    podVolume("scratch", spec.dumpVolumeSize, spec),
    // HOME and TMPDIR: the scripts' step output and awscli's files, a few KiB.
    { name: "tmp", emptyDir: { sizeLimit: JOB_TMP_SIZE } },
  ];
  return {
    serviceAccountName: spec.serviceAccount,
    restartPolicy: "Never",
    terminationGracePeriodSeconds: TERMINATION_GRACE_PERIOD_SECONDS,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
    containers,
    volumes: [...volumes, ...(extra.volumes ?? [])],
    ...(extra.initContainers ? { initContainers: extra.initContainers } : {}),
  };
}

function scriptContainer(spec: PostgresBackupSpec, script: string, env: Container["env"]): Container {
  return {
    name: script.replace(/\.sh$/, ""),
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    command: ["/bin/bash", `/scripts/${script}`],
    env: [
      { name: "BACKUP_BUCKET", value: spec.bucket },
      { name: "BACKUP_PREFIX", value: spec.prefix },
      { name: "PUSHGATEWAY_URL", value: spec.pushgatewayUrl },
      { name: "SCRATCH_DIR", value: "/scratch" },
      // awscli and libpq write caches and history under HOME; the root filesystem is read-only.
      { name: "HOME", value: "/tmp" },
      { name: "TMPDIR", value: "/tmp" },
      ...(env ?? []),
    ],
    volumeMounts: [
      { name: "scripts", mountPath: "/scripts", readOnly: true },
      { name: "scratch", mountPath: "/scratch" },
      { name: "tmp", mountPath: "/tmp" },
    ],
    resources: withEphemeralStorage({ requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } }, withVolumes(JOB_TMP_SIZE)),
    securityContext: restricted,
  };
}

const cronJobDefaults = {
  concurrencyPolicy: "Forbid" as const,
  // A missed run (controller down, cluster upgrade) still starts within the hour, not a day later.
  startingDeadlineSeconds: BACKUP_STARTING_DEADLINE_SECONDS,
  // A finished Job keeps its pods, and each pod its scratch volumes (generic ephemeral, so an EBS volume each): every
  // Job kept is idle volumes and claims on the namespace's quota (policy k8s-quota-holds-demand counts them). One of
  // each is enough to read a failure's pod status by hand; the logs are in Loki, the outcomes in the pushed metrics.
  successfulJobsHistoryLimit: 1,
  failedJobsHistoryLimit: 1,
  timeZone: "Etc/UTC",
};

type Identity = Pick<PostgresBackupSpec, "environment" | "namespace" | "name">;

/** Backup CronJobs are named `<prefix><database entry>`; alert rules select them by this prefix. */
export const BACKUP_CRONJOB_PREFIX = "pg-backup-";

/** Name, namespace and labels of the backup CronJob (known before the bucket exists). */
export function backupCronJobMetadata(spec: Identity) {
  return { name: `${BACKUP_CRONJOB_PREFIX}${spec.name}`, namespace: spec.namespace, labels: labels(spec, "backup") };
}

/** Restore-drill CronJobs are named `<prefix><database entry>`; alert rules select them by this prefix. */
export const RESTORE_DRILL_CRONJOB_PREFIX = "pg-restore-drill-";

/** The recovery objectives of the database, as the backup CronJob's annotations. */
export function recoveryAnnotations(spec: Pick<PostgresBackupSpec, "recoveryPoint" | "recoveryTimeObjective">): Record<string, string> {
  const point = spec.recoveryPoint;
  return {
    [RECOVERY_ANNOTATIONS.rpo]: point.objective,
    [RECOVERY_ANNOTATIONS.rpoSource]: point.source,
    ...(point.pointInTimeRecoveryDays === undefined ? {} : { [RECOVERY_ANNOTATIONS.pitrRetentionDays]: String(point.pointInTimeRecoveryDays) }),
    [RECOVERY_ANNOTATIONS.rto]: spec.recoveryTimeObjective,
  };
}

/** Name, namespace and labels of the restore-drill CronJob. */
export function restoreDrillCronJobMetadata(spec: Identity) {
  return { name: `${RESTORE_DRILL_CRONJOB_PREFIX}${spec.name}`, namespace: spec.namespace, labels: labels(spec, "restore-drill") };
}

/** The nightly CronJob running pg-backup.sh against the database. */
export function backupCronJob(spec: PostgresBackupSpec): CronJob {
  const env: Container["env"] = [
    { name: "PGHOST", value: spec.host },
    { name: "PGPORT", value: String(spec.port) },
    { name: "PGDATABASE", value: spec.database },
    { name: "PGUSER", value: spec.user },
    { name: "PGSSLMODE", value: spec.sslMode },
    ...(verifiesServerCertificate(spec.sslMode) ? [{ name: "PGSSLROOTCERT", value: POSTGRES_SERVER_CA_FILE }] : []),
    { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: spec.password.name, key: spec.password.key } } },
    { name: "BACKUP_KMS_KEY_ID", value: spec.kmsKeyArn },
    { name: "BACKUP_RETENTION_DAYS", value: String(spec.retentionDays) },
    { name: "BACKUP_KEEP_LAST", value: String(spec.keepLast) },
  ];
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { ...backupCronJobMetadata(spec), annotations: recoveryAnnotations(spec) },
    spec: {
      ...cronJobDefaults,
      schedule: spec.schedule,
      jobTemplate: {
        metadata: { labels: labels(spec, "backup") },
        spec: {
          // A second attempt the same night is worth it (network blips); more would hide a real fault.
          backoffLimit: BACKUP_ATTEMPTS - 1,
          // Counted from the Job's start over every attempt: BackupTooOld's maximum age allows for it.
          activeDeadlineSeconds: durationSeconds(spec.runDeadline)!,
          template: { metadata: { labels: labels(spec, "backup") }, spec: jobPod(spec, [scriptContainer(spec, BACKUP_SCRIPT, env)]) },
        },
      },
    },
  };
}

/** The weekly CronJob restoring the newest backup into a throwaway PostgreSQL beside it and checking it. */
export function restoreDrillCronJob(spec: PostgresBackupSpec): CronJob {
  const drillPostgres: Container = {
    name: "drill-postgres",
    image: DRILL_POSTGRES_IMAGE,
    // A native sidecar: starts before the drill and is stopped when the drill container exits.
    restartPolicy: "Always",
    env: [
      { name: "POSTGRES_HOST_AUTH_METHOD", value: "trust" },
      { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
    ],
    args: ["-c", "listen_addresses=127.0.0.1"],
    // The kubelet starts the drill container once this probe passes: a native sidecar's readiness is not waited
    // for, and the image's first start (initdb, then a socket-only server) can take longer than the download.
    // 127.0.0.1 on purpose: the temporary server initdb runs does not listen there.
    startupProbe: { exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] }, periodSeconds: 2, failureThreshold: 150 },
    readinessProbe: { exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] }, periodSeconds: 2 },
    volumeMounts: [
      { name: "drill-data", mountPath: "/var/lib/postgresql/data" },
      { name: "drill-run", mountPath: "/var/run/postgresql" },
      { name: "drill-tmp", mountPath: "/tmp" },
    ],
    resources: withEphemeralStorage({ requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } }, withVolumes(DRILL_TMP_SIZE)),
    securityContext: { ...restricted, runAsUser: 999, runAsGroup: 999 },
  };
  const env: Container["env"] = [
    { name: "PGHOST", value: "127.0.0.1" },
    { name: "PGPORT", value: "5432" },
    { name: "PGUSER", value: "postgres" },
    { name: "PGDATABASE", value: "postgres" },
    { name: "DRILL_TABLES", value: spec.drillTables.join(",") },
    { name: "DRILL_MIN_ROWS", value: String(spec.drillMinRows) },
  ];
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: restoreDrillCronJobMetadata(spec),
    spec: {
      ...cronJobDefaults,
      schedule: spec.drillSchedule,
      jobTemplate: {
        metadata: { labels: labels(spec, "restore-drill") },
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: restoreDrillDeadlineSeconds(spec.recoveryTimeObjective),
          template: {
            metadata: { labels: labels(spec, "restore-drill") },
            spec: jobPod(spec, [scriptContainer(spec, DRILL_SCRIPT, env)], {
              initContainers: [drillPostgres],
              volumes: [
                podVolume("drill-data", spec.restoreVolumeSize, spec),
                { name: "drill-run", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
                { name: "drill-tmp", emptyDir: { sizeLimit: DRILL_TMP_SIZE } },
              ],
            }),
          },
        },
      },
    },
  };
}
