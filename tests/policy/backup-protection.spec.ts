import { expect } from "chai";
import { loadPackConfig, runPolicies } from "../../policy/offline";
import { planStack, STACKS } from "../harness";
import { type FixtureResource, messagesOf, UNKNOWN_STRING, urnOf, violations } from "./fixtures";

const BUCKET = "aws:s3/bucket:Bucket";
const ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const CRONJOB = "kubernetes:batch/v1:CronJob";

const BACKUP_TAGS = { environment: "production", component: "database-backups" };
const bucket = (name: string, tags: Record<string, string> = BACKUP_TAGS): FixtureResource => ({ type: BUCKET, name, inputs: { forceDestroy: false, tags } });
/** A settings resource as the mocks record it: `bucket` holds the bucket's id and it depends on the bucket. */
const setting = (type: string, bucketName: string, suffix: string, inputs: Record<string, unknown>): FixtureResource => ({
  type,
  name: `${bucketName}-${suffix}`,
  inputs: { bucket: bucketName, ...inputs },
  dependencies: [urnOf(BUCKET, bucketName)],
});
const lock = (bucketName: string, mode: string | undefined, days = 30, enabled = "Enabled") =>
  setting(OBJECT_LOCK, bucketName, "object-lock", { objectLockEnabled: enabled, ...(mode ? { rule: { defaultRetention: { mode, days } } } : {}) });
const encryption = (bucketName: string, keyArn: string) =>
  setting(ENCRYPTION, bucketName, "encryption", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn } }] });

const PRIMARY_KEY = "arn:aws:kms:eu-west-1:123456789012:key/primary";
const REPLICA_KEY = "arn:aws:kms:eu-central-1:123456789012:key/replica";
const rule = (overrides: Record<string, unknown> = {}, destination: Record<string, unknown> = {}) => ({
  id: "offsite-replica",
  status: "Enabled",
  filter: { prefix: "production/" },
  deleteMarkerReplication: { status: "Enabled" },
  sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
  destination: { bucket: "arn:aws:s3:::backups-replica", encryptionConfiguration: { replicaKmsKeyId: REPLICA_KEY }, ...destination },
  ...overrides,
});
const replication = (bucketName: string, rules: unknown[]) => setting(REPLICATION, bucketName, "replication", { role: "arn:aws:iam::123456789012:role/replication", rules });

/** A primary backup bucket with its key, and what it replicates with. */
const primary = (...extra: FixtureResource[]) => [bucket("backups"), encryption("backups", PRIMARY_KEY), ...extra];

function backupCronJob(annotations: Record<string, string>): FixtureResource {
  return {
    type: CRONJOB,
    name: "backups-orders-backup",
    inputs: { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "pg-backup-orders", namespace: "backups", annotations }, spec: {} },
  };
}
const PITR = {
  "platform.io/recovery-point-objective": "5m",
  "platform.io/recovery-point-source": "RDS point-in-time recovery (cluster orders)",
  "platform.io/recovery-time-objective": "4h",
};

const PRODUCTION = loadPackConfig("production");
const STAGING = loadPackConfig("staging");

describe("policy: backup protection", () => {
  describe("backup-object-lock", () => {
    const fix = "set rule.defaultRetention with mode COMPLIANCE and days equal to the backup retention";

    it("passes a backup bucket locked in compliance mode, and ignores buckets that hold no backups", async () => {
      expect(await messagesOf("backup-object-lock", [bucket("backups"), lock("backups", "COMPLIANCE"), bucket("logs", { component: "loki" })], PRODUCTION)).to.deep.equal([]);
    });

    it("reports a backup bucket without Object Lock, the replica included, against the bucket", async () => {
      const found = (await violations([bucket("backups"), bucket("replica", { ...BACKUP_TAGS, role: "offsite-replica" })], PRODUCTION)).filter((v) => v.policy === "backup-object-lock");
      expect(found.map((v) => [v.enforcementLevel, v.urn, v.message])).to.deep.equal([
        ["mandatory", urnOf(BUCKET, "backups"), `S3 bucket backups holds database backups without Object Lock; add a BucketObjectLockConfiguration that sets objectLockEnabled Enabled and ${fix}`],
        ["mandatory", urnOf(BUCKET, "replica"), `S3 bucket replica holds database backups without Object Lock; add a BucketObjectLockConfiguration that sets objectLockEnabled Enabled and ${fix}`],
      ]);
    });

    it("reports a lock that is not enabled, or that locks nothing by default", async () => {
      expect(await messagesOf("backup-object-lock", [bucket("backups"), lock("backups", "COMPLIANCE", 30, "Disabled")], PRODUCTION)).to.deep.equal([
        `S3 bucket backups: BucketObjectLockConfiguration backups-object-lock does not set objectLockEnabled to Enabled; set it, and ${fix}`,
      ]);
      expect(await messagesOf("backup-object-lock", [bucket("backups"), lock("backups", undefined)], PRODUCTION)).to.deep.equal([
        `S3 bucket backups: Object Lock has no default retention, so new backups are not locked; ${fix}`,
      ]);
      expect(await messagesOf("backup-object-lock", [bucket("backups"), lock("backups", "COMPLIANCE", 0)], PRODUCTION)).to.deep.equal([
        `S3 bucket backups: Object Lock has no default retention, so new backups are not locked; ${fix}`,
      ]);
    });

    it("production refuses governance mode, which administrators can lift; staging accepts it and only advises", async () => {
      const governance = [bucket("backups"), lock("backups", "GOVERNANCE", 7)];
      const production = (await violations(governance, PRODUCTION)).filter((v) => v.policy === "backup-object-lock");
      expect(production.map((v) => [v.enforcementLevel, v.message])).to.deep.equal([
        ["mandatory", `S3 bucket backups: Object Lock default retention is in GOVERNANCE mode, which this stack does not allow (COMPLIANCE); ${fix}`],
      ]);
      expect(await messagesOf("backup-object-lock", governance, STAGING)).to.deep.equal([]);
      const unlocked = (await violations([bucket("backups")], STAGING)).filter((v) => v.policy === "backup-object-lock");
      expect(unlocked.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });
  });

  describe("backup-offsite-replica", () => {
    it("passes a backup bucket that replicates its KMS-encrypted objects to a key in another region", async () => {
      expect(await messagesOf("backup-offsite-replica", primary(replication("backups", [rule()])), PRODUCTION)).to.deep.equal([]);
    });

    it("does not ask the replica, or a bucket without backups, to replicate", async () => {
      const resources = [bucket("replica", { ...BACKUP_TAGS, role: "offsite-replica" }), bucket("logs", { component: "loki" })];
      expect(await messagesOf("backup-offsite-replica", resources, PRODUCTION)).to.deep.equal([]);
    });

    it("reports a backup bucket with no replication, or only a disabled rule: mandatory in production, advisory in staging", async () => {
      const message =
        "S3 bucket backups holds database backups without an off-site replica; add a BucketReplicationConfig with an Enabled rule to a bucket in another region (backupReplicaRegion)";
      const production = (await violations(primary(), PRODUCTION)).filter((v) => v.policy === "backup-offsite-replica");
      expect(production.map((v) => [v.enforcementLevel, v.urn, v.message])).to.deep.equal([["mandatory", urnOf(BUCKET, "backups"), message]]);
      expect(await messagesOf("backup-offsite-replica", primary(replication("backups", [rule({ status: "Disabled" })])), PRODUCTION)).to.deep.equal([message]);
      const staging = (await violations(primary(), STAGING)).filter((v) => v.policy === "backup-offsite-replica");
      expect(staging.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    const cases: [string, unknown, string][] = [
      ["replicates within its own region", rule({}, { encryptionConfiguration: { replicaKmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/same" } }), "replicates within eu-west-1, the bucket's own region; replicate to a second region"],
      ["does not encrypt the replica with a key", rule({}, { encryptionConfiguration: undefined }), "does not encrypt the replica with a KMS key of its region (destination.encryptionConfiguration.replicaKmsKeyId)"],
      [
        "skips KMS-encrypted objects",
        rule({ sourceSelectionCriteria: {} }),
        "skips KMS-encrypted objects, which every backup is; set sourceSelectionCriteria.sseKmsEncryptedObjects.status to Enabled",
      ],
      ["names its key by alias", rule({}, { encryptionConfiguration: { replicaKmsKeyId: "alias/backups" } }), 'names the replica key as "alias/backups"; use the key\'s ARN so its region shows'],
    ];
    for (const [what, bad, problem] of cases) {
      it(`reports a replication rule that ${what}`, async () => {
        expect(await messagesOf("backup-offsite-replica", primary(replication("backups", [bad])), PRODUCTION)).to.deep.equal([`S3 bucket backups: its replication rule ${problem}`]);
      });
    }

    it("waits for the replica key's ARN when a preview creates the key (the value is unknown then)", async () => {
      const preview = primary(replication("backups", [rule({}, { encryptionConfiguration: { replicaKmsKeyId: UNKNOWN_STRING } })]));
      expect(await messagesOf("backup-offsite-replica", preview, PRODUCTION)).to.deep.equal([]);
    });
  });

  describe("backup-point-in-time-recovery", () => {
    it("passes a CronJob whose RDS point-in-time recovery RDS reports on, and one that relies on its schedule", async () => {
      const onSchedule = { "platform.io/recovery-point-objective": "24h", "platform.io/recovery-point-source": 'backup schedule "0 3 * * *" (UTC)' };
      expect(await messagesOf("backup-point-in-time-recovery", [backupCronJob({ ...PITR, "platform.io/point-in-time-recovery-retention-days": "7" })], PRODUCTION)).to.deep.equal([]);
      expect(await messagesOf("backup-point-in-time-recovery", [backupCronJob(onSchedule)], PRODUCTION)).to.deep.equal([]);
    });

    it("refuses a recovery point from RDS point-in-time recovery that RDS has switched off (0 days): mandatory in production, advisory in staging", async () => {
      const off = [backupCronJob({ ...PITR, "platform.io/point-in-time-recovery-retention-days": "0" })];
      const production = (await violations(off, PRODUCTION)).filter((v) => v.policy === "backup-point-in-time-recovery");
      expect(production.map((v) => [v.enforcementLevel, v.urn, v.message])).to.deep.equal([
        [
          "mandatory",
          urnOf(CRONJOB, "backups-orders-backup"),
          "CronJob backups/pg-backup-orders relies on RDS point-in-time recovery (cluster orders), but RDS keeps 0 days of automated backups, so point-in-time recovery is off; " +
            "set the backup retention period to at least 1 day, or drop pointInTimeRecovery from the database entry (its recovery point is then the backup schedule's)",
        ],
      ]);
      expect((await violations(off, STAGING)).filter((v) => v.policy === "backup-point-in-time-recovery").map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    });

    it("refuses a recovery point from RDS point-in-time recovery without the retention RDS reported", async () => {
      expect(await messagesOf("backup-point-in-time-recovery", [backupCronJob(PITR)], PRODUCTION)).to.deep.equal([
        "CronJob backups/pg-backup-orders relies on RDS point-in-time recovery (cluster orders) but does not state the retention RDS reported (annotation platform.io/point-in-time-recovery-retention-days)",
      ]);
    });
  });

  for (const stack of STACKS) {
    it(`${stack}: the planned backup bucket, replica and CronJob pass all three rules, and each rule sees them`, async () => {
      const plan = await planStack(stack);
      const found = (await runPolicies(plan.record, loadPackConfig(stack))).violations.filter((v) => v.policy.startsWith("backup-"));
      expect(found).to.deep.equal([]);
      // Without the replication and the replica's lock, the same plan fails both rules: they are not vacuous.
      const stripped = plan.resources.filter((r) => !["platform-backups-storage-replication-config", "platform-backups-storage-replica-object-lock"].includes(r.name));
      const report = await runPolicies({ ...plan.record, resources: stripped }, loadPackConfig(stack));
      expect(report.violations.filter((v) => v.policy.startsWith("backup-")).map((v) => [v.policy, v.urn])).to.deep.equal([
        ["backup-object-lock", plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-replica-bucket").urn],
        ["backup-offsite-replica", plan.one("aws:s3/bucket:Bucket", "platform-backups-storage-bucket").urn],
      ]);
    });
  }
});
