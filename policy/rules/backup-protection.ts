import { type PolicyResource, type ResourceValidationPolicy, type StackValidationPolicy, UnknownValueError } from "@pulumi/policy";
import { describeObject, TYPES } from "./kubernetes";
import { bucketsWithSettings, SETTING_TYPES } from "./s3-correlation";
import { isRecord, known, list, record, settings, str } from "./values";

/**
 * What makes database backups survive a hostile deleter, a lost region and a database whose own recovery is
 * switched off. The buckets are found by the tag the backups component puts on them; the replica carries
 * role=offsite-replica besides. A bucket that stores backups without the tag escapes these rules, which is
 * why the backups component sets it and tests/backups asserts it.
 */

export const BACKUP_BUCKET_TAG = { key: "component", value: "database-backups" } as const;
export const REPLICA_ROLE_TAG = { key: "role", value: "offsite-replica" } as const;

/** Annotations the backup CronJob states its recovery point with (components/backups/backup-cronjobs.ts). */
export const RECOVERY_POINT_SOURCE_ANNOTATION = "platform.io/recovery-point-source";
export const PITR_RETENTION_ANNOTATION = "platform.io/point-in-time-recovery-retention-days";
const PITR_SOURCE = "RDS point-in-time recovery";

const UNKNOWN = Symbol("unknown during preview");

function knownOr<T, F>(read: () => T, fallback: F): T | F {
  try {
    return read();
  } catch (err) {
    if (err instanceof UnknownValueError) return fallback;
    throw err;
  }
}

function tagsOf(bucket: PolicyResource): Record<string, unknown> {
  return record(known(() => bucket.props.tags));
}

function isBackupBucket(bucket: PolicyResource): boolean {
  return tagsOf(bucket)[BACKUP_BUCKET_TAG.key] === BACKUP_BUCKET_TAG.value;
}

function isReplica(bucket: PolicyResource): boolean {
  return tagsOf(bucket)[REPLICA_ROLE_TAG.key] === REPLICA_ROLE_TAG.value;
}

/** The region in a KMS key ARN, or undefined for a key id, an alias or a value unknown during preview. */
function kmsKeyRegion(keyArn: unknown): string | undefined {
  const match = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:/.exec(str(keyArn) ?? "");
  return match?.[1];
}

const OBJECT_LOCK_DEFAULTS = { modes: ["COMPLIANCE"] as string[] };

/**
 * Object Lock with a default retention on every bucket that holds backups (the replica included): a version
 * cannot be deleted or overwritten before the retention ends, whoever asks. The allowed modes come from the
 * pack config: compliance only in production; staging also accepts governance, which administrators can lift.
 */
export const backupObjectLock: StackValidationPolicy = {
  name: "backup-object-lock",
  description: "Buckets that hold database backups lock every version with an Object Lock default retention in an allowed mode.",
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      modes: {
        type: "array",
        items: { type: "string", enum: ["COMPLIANCE", "GOVERNANCE"] },
        default: OBJECT_LOCK_DEFAULTS.modes,
        description: "Object Lock modes a backup bucket's default retention may use.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { modes } = settings(args, OBJECT_LOCK_DEFAULTS);
    for (const [bucket, locks] of bucketsWithSettings(args.resources, SETTING_TYPES.objectLock)) {
      if (!isBackupBucket(bucket)) continue;
      const fix = `set rule.defaultRetention with mode ${modes.join(" or ")} and days equal to the backup retention`;
      if (locks.length === 0) {
        reportViolation(`S3 bucket ${bucket.name} holds database backups without Object Lock; add a BucketObjectLockConfiguration that sets objectLockEnabled Enabled and ${fix}`, bucket.urn);
        continue;
      }
      const lock = locks[0].props;
      const retention = record(record(lock.rule).defaultRetention);
      const mode = str(retention.mode);
      const period = Number(retention.days ?? 0) + Number(retention.years ?? 0);
      if (str(lock.objectLockEnabled) !== "Enabled") {
        reportViolation(`S3 bucket ${bucket.name}: BucketObjectLockConfiguration ${locks[0].name} does not set objectLockEnabled to Enabled; set it, and ${fix}`, bucket.urn);
      } else if (mode === undefined || !(period > 0)) {
        reportViolation(`S3 bucket ${bucket.name}: Object Lock has no default retention, so new backups are not locked; ${fix}`, bucket.urn);
      } else if (!modes.includes(mode)) {
        reportViolation(`S3 bucket ${bucket.name}: Object Lock default retention is in ${mode} mode, which this stack does not allow (${modes.join(", ")}); ${fix}`, bucket.urn);
      }
    }
  },
};

/**
 * Every primary backup bucket replicates to a bucket in another region, encrypted there with a KMS key of that
 * region, and replicates the KMS-encrypted objects (which S3 otherwise skips). Regions are read from the KMS key
 * ARNs (the bucket's default encryption key and the replica key), the one place a replication names a region.
 */
export const backupOffsiteReplica: StackValidationPolicy = {
  name: "backup-offsite-replica",
  description: "Buckets that hold database backups replicate them to another region, encrypted there with that region's KMS key.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    const encryption = bucketsWithSettings(args.resources, SETTING_TYPES.encryption);
    for (const [bucket, replications] of bucketsWithSettings(args.resources, SETTING_TYPES.replication)) {
      if (!isBackupBucket(bucket) || isReplica(bucket)) continue;
      const rules = replications.flatMap((r) => list(r.props.rules)).filter(isRecord).filter((r) => r.status === "Enabled");
      if (rules.length === 0) {
        reportViolation(
          `S3 bucket ${bucket.name} holds database backups without an off-site replica; add a BucketReplicationConfig with an Enabled rule to a bucket in another region (backupReplicaRegion)`,
          bucket.urn,
        );
        continue;
      }
      const ownRegions = (encryption.get(bucket) ?? [])
        .flatMap((e) => list(e.props.rules))
        .map((r) => kmsKeyRegion(known(() => record(record(r).applyServerSideEncryptionByDefault).kmsMasterKeyId)))
        .filter((r): r is string => r !== undefined);
      const problems = rules.map((rule) => {
        const destination = record(rule.destination);
        const replicaKey = knownOr(() => record(destination.encryptionConfiguration).replicaKmsKeyId, UNKNOWN);
        if (replicaKey === undefined || replicaKey === null) return "does not encrypt the replica with a KMS key of its region (destination.encryptionConfiguration.replicaKmsKeyId)";
        if (record(record(rule.sourceSelectionCriteria).sseKmsEncryptedObjects).status !== "Enabled") {
          return "skips KMS-encrypted objects, which every backup is; set sourceSelectionCriteria.sseKmsEncryptedObjects.status to Enabled";
        }
        // A key created in the same update has no ARN during preview; the region is checked once it has.
        if (replicaKey === UNKNOWN) return undefined;
        const region = kmsKeyRegion(replicaKey);
        if (typeof replicaKey === "string" && region === undefined) return `names the replica key as "${replicaKey}"; use the key's ARN so its region shows`;
        if (region !== undefined && ownRegions.includes(region)) return `replicates within ${region}, the bucket's own region; replicate to a second region`;
        return undefined;
      });
      if (problems.every((p) => p !== undefined)) {
        reportViolation(`S3 bucket ${bucket.name}: its replication rule ${problems[0]}`, bucket.urn);
      }
    }
  },
};

/**
 * A backup CronJob that states a recovery point from RDS point-in-time recovery must also state the automated
 * backup retention the program read from RDS: zero days means RDS keeps no logs and cannot restore to a point
 * in time, so the stated recovery point would be false.
 */
export const backupPointInTimeRecovery: ResourceValidationPolicy = {
  name: "backup-point-in-time-recovery",
  description: "Backup CronJobs that rely on RDS point-in-time recovery state a retention RDS reported, of at least one day.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: (args, reportViolation) => {
    if (args.type !== TYPES.cronJob) return;
    const annotations = record(record(args.props.metadata).annotations);
    const source = str(annotations[RECOVERY_POINT_SOURCE_ANNOTATION]);
    if (source === undefined || !source.startsWith(PITR_SOURCE)) return;
    const object = describeObject(args.type, args.props, args.name);
    const days = str(annotations[PITR_RETENTION_ANNOTATION]);
    if (days === undefined || !/^\d+$/.test(days)) {
      reportViolation(`${object} relies on ${source} but does not state the retention RDS reported (annotation ${PITR_RETENTION_ANNOTATION})`);
    } else if (Number(days) < 1) {
      reportViolation(
        `${object} relies on ${source}, but RDS keeps ${days} days of automated backups, so point-in-time recovery is off; ` +
          "set the backup retention period to at least 1 day, or drop pointInTimeRecovery from the database entry (its recovery point is then the backup schedule's)",
      );
    }
  },
};
