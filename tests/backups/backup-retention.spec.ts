import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { backupAccessPolicy, backupLifecycleRules, objectLockConfiguration, objectLockMode } from "../../components/backups";
import { BackupLab, jobPolicyForMinio, KEEP_LAST, NOT_IN_MINIO, RETENTION_DAYS, sha256, stampDaysAgo, STACK } from "./fixtures/backup-lab";
import { freePort } from "../processes";
import { samples } from "./fixtures/pushgateway";

describe("retention, Object Lock and least privilege of the backup bucket (MinIO)", function () {
  this.timeout(300_000);
  let lab: BackupLab;
  let dumpFile: string;

  before(async function () {
    lab = await BackupLab.start();
    // One real dump to seed older backups with.
    const first = await lab.runBackup({ BACKUP_PREFIX: "production/seed-source" });
    expect(first.result.status, first.result.stderr).to.equal(0);
    const [key] = await lab.dumps("production/seed-source/");
    dumpFile = path.join(lab.workRoot, "seed.dump");
    await lab.minio.download(lab.bucket, key, dumpFile);
  });

  after(async function () {
    await lab?.stop();
  });

  /** A backup of `daysAgo` days ago under `prefix`, as pg-backup.sh stores it; without its manifest when `complete` is false. */
  async function seed(prefix: string, daysAgo: number, suffix: string, complete = true): Promise<string> {
    const { stamp, dayPath } = stampDaysAgo(daysAgo);
    const key = `${prefix}/${dayPath}/orders-${stamp}-${suffix}.dump`;
    await lab.minio.upload(dumpFile, lab.bucket, key);
    if (complete) {
      const manifest = path.join(lab.workRoot, "seed.manifest.json");
      fs.writeFileSync(manifest, `${JSON.stringify({ database: "orders", key, size_bytes: fs.statSync(dumpFile).size, sha256: sha256(dumpFile), timestamp: stamp }, null, 2)}\n`);
      await lab.minio.upload(manifest, lab.bucket, `${key}.manifest.json`);
    }
    return key;
  }

  async function keysUnder(prefix: string): Promise<string[]> {
    return (await lab.minio.list(lab.bucket, `${prefix}/`)).map((o) => o.key);
  }

  describe(`retention: ${RETENTION_DAYS} days, the newest ${KEEP_LAST} complete backups kept whatever their age`, () => {
    it("backups that fail for longer than the retention keep the last good ones, which still restore; the next success applies the retention", async () => {
      const prefix = "production/failing-for-weeks";
      const oldest = await seed(prefix, 50, "0000000a");
      const older = await seed(prefix, 45, "0000000b");
      const old = await seed(prefix, 40, "0000000c");
      const lastGood = await seed(prefix, 35, "0000000d");
      const abandoned = await seed(prefix, 41, "0000000e", false); // a run killed before its manifest
      const inFlight = await seed(prefix, 0.01, "0000000f", false); // a concurrent run, not finished yet
      const { stamp, dayPath } = stampDaysAgo(38);
      const orphanManifest = `${prefix}/${dayPath}/orders-${stamp}-00000010.dump.manifest.json`; // an interrupted deletion's leftover
      await lab.minio.upload(path.join(lab.workRoot, "seed.manifest.json"), lab.bucket, orphanManifest);
      const seeded = await keysUnder(prefix);

      // Five weeks without a successful backup: the failures delete nothing.
      const closedPort = await freePort();
      const failed = await lab.runBackup({ BACKUP_PREFIX: prefix, PGPORT: String(closedPort) });
      expect(failed.result.status, failed.result.stderr).to.equal(1);
      expect(await keysUnder(prefix), "after a failed run").to.deep.equal(seeded);

      // The last good backup, 35 days old, is still there and restores.
      const drill = await lab.runDrill({ BACKUP_PREFIX: prefix });
      expect(drill.result.status, drill.result.stderr).to.equal(0);
      expect(drill.result.stderr).to.include(`newest backup: s3://${lab.bucket}/${lastGood}\n`);

      // The next success keeps itself and the two newest older backups, past the retention or not; deletes what
      // is older than the retention beyond them, the abandoned dump and the orphaned manifest; keeps the run in flight.
      lab.pushgateway.reset();
      const success = await lab.runBackup({ BACKUP_PREFIX: prefix, PUSHGATEWAY_URL: lab.pushgateway.url });
      expect(success.result.status, success.result.stderr).to.equal(0);
      const [newest] = (await lab.dumps(`${prefix}/`)).filter((k) => !seeded.includes(k));
      expect(await keysUnder(prefix)).to.have.members([newest, `${newest}.manifest.json`, lastGood, `${lastGood}.manifest.json`, old, `${old}.manifest.json`, inFlight]);
      for (const gone of [oldest, older]) expect(success.result.stderr).to.include(`retention: deleting s3://${lab.bucket}/${gone}\n`);
      expect(success.result.stderr).to.include(`retention: deleting s3://${lab.bucket}/${abandoned}\n`);
      expect(success.result.stderr).to.include(`retention: deleting s3://${lab.bucket}/${orphanManifest}\n`);
      expect(success.result.stderr).to.include("retention: 3 complete backup(s) left, 6 object(s) deleted (the newest 3 stay whatever their age, the rest for 30 days)\n");
      expect(samples(lab.pushgateway.pushes[0].body).get("pg_backup_retained_backups")).to.equal(3);

      // Deleted means hidden: under Object Lock every deleted version is still there, behind a delete marker.
      const versions = await lab.minio.versions(lab.bucket, `${prefix}/`);
      for (const gone of [oldest, older, abandoned]) {
        expect(versions.filter((v) => v.key === gone).map((v) => [v.deleteMarker, v.isLatest]).sort(), gone).to.deep.equal([[false, false], [true, true]]);
      }

      // And the one after that lets the 40-day-old backup go.
      const next = await lab.runBackup({ BACKUP_PREFIX: prefix });
      expect(next.result.status, next.result.stderr).to.equal(0);
      const dumpsAfter = (await keysUnder(prefix)).filter((k) => k.endsWith(".dump"));
      expect(dumpsAfter, "the 40-day-old backup went").to.not.include(old);
      expect(dumpsAfter, "the newest three stay").to.include.members([lastGood, newest]);
      expect(next.result.stderr).to.include("retention: 3 complete backup(s) left, 2 object(s) deleted");
    });

    it("keeps every backup younger than the retention, however many there are", async () => {
      const prefix = "production/young";
      for (const [days, suffix] of [[5, "0000001a"], [10, "0000001b"], [15, "0000001c"], [20, "0000001d"], [29, "0000001e"]] as const) await seed(prefix, days, suffix);
      const before = await keysUnder(prefix);
      const run = await lab.runBackup({ BACKUP_PREFIX: prefix });
      expect(run.result.status, run.result.stderr).to.equal(0);
      const after = await keysUnder(prefix);
      expect(after.filter((k) => !before.includes(k)), "only the new backup was added").to.have.length(2);
      expect(after).to.include.members(before);
      expect(run.result.stderr).to.include("retention: 6 complete backup(s) left, 0 object(s) deleted (the newest 3 stay whatever their age, the rest for 30 days)\n");
    });
  });

  describe("Object Lock", () => {
    let key: string;
    let versionId: string;
    before(async () => {
      const run = await lab.runBackup({ BACKUP_PREFIX: "production/locked" });
      expect(run.result.status, run.result.stderr).to.equal(0);
      [key] = await lab.dumps("production/locked/");
      versionId = (await lab.minio.versions(lab.bucket, key)).find((v) => !v.deleteMarker)!.versionId;
    });

    it("production (compliance): a backup version cannot be deleted, not by the job, not even by the root account with a bypass", async () => {
      const asJob = await lab.minio.awsResult(["s3api", "delete-object", "--bucket", lab.bucket, "--key", key, "--version-id", versionId], lab.job);
      expect(asJob.status, asJob.stderr).to.equal(254);
      expect(asJob.stderr).to.include("An error occurred (AccessDenied) when calling the DeleteObject operation: Access Denied");
      for (const bypass of [[], ["--bypass-governance-retention"]]) {
        const asRoot = await lab.minio.awsResult(["s3api", "delete-object", "--bucket", lab.bucket, "--key", key, "--version-id", versionId, ...bypass]);
        expect(asRoot.status, asRoot.stderr).to.equal(254);
        expect(asRoot.stderr, `root ${bypass.join(" ")}`).to.include("An error occurred (InvalidRequest) when calling the DeleteObject operation: Object is WORM protected and cannot be overwritten");
      }
      const shorten = await lab.minio.awsResult([
        "s3api", "put-object-retention", "--bucket", lab.bucket, "--key", key, "--version-id", versionId,
        "--retention", JSON.stringify({ Mode: "COMPLIANCE", RetainUntilDate: new Date(Date.now() + 86_400_000).toISOString() }),
      ]);
      expect(shorten.status, "a compliance retention cannot be shortened").to.equal(254);
      // The job's own delete only hides the backup; the locked version restores as before.
      await lab.minio.aws(["s3api", "delete-object", "--bucket", lab.bucket, "--key", key], lab.job);
      expect(await lab.dumps("production/locked/"), "hidden").to.deep.equal([]);
      const file = path.join(lab.workRoot, "locked.dump");
      await lab.minio.aws(["s3api", "get-object", "--bucket", lab.bucket, "--key", key, "--version-id", versionId, file]);
      const manifestFile = path.join(lab.workRoot, "locked.manifest.json");
      await lab.minio.download(lab.bucket, `${key}.manifest.json`, manifestFile);
      expect(sha256(file), "the hidden version is the backup its manifest describes").to.equal(JSON.parse(fs.readFileSync(manifestFile, "utf8")).sha256);
    });

    it("staging (governance): a backup version cannot be deleted without the bypass, which only an administrator holds", async () => {
      const bucket = `${lab.bucket}-staging`;
      await lab.minio.createBucket(bucket, objectLockConfiguration(objectLockMode("staging"), 7));
      const retention = JSON.parse(await lab.minio.aws(["s3api", "get-object-lock-configuration", "--bucket", bucket]));
      expect(retention.ObjectLockConfiguration.Rule.DefaultRetention).to.deep.equal({ Mode: "GOVERNANCE", Days: 7 });
      await lab.minio.upload(dumpFile, bucket, "staging/orders/2026/11/30/orders-20261130T030000Z-0000aaaa.dump");
      const [version] = await lab.minio.versions(bucket);
      const args = ["s3api", "delete-object", "--bucket", bucket, "--key", version.key, "--version-id", version.versionId];
      const stagingJob = await lab.minio.createUser(`job-${bucket}`, jobPolicyForMinio(bucket, "staging"));
      const asJob = await lab.minio.awsResult([...args, "--bypass-governance-retention"], stagingJob);
      expect(asJob.stderr, "the job may not bypass").to.include("(AccessDenied) when calling the DeleteObject operation: Access Denied");
      const withoutBypass = await lab.minio.awsResult(args);
      expect(withoutBypass.stderr).to.include("Object is WORM protected and cannot be overwritten");
      await lab.minio.aws([...args, "--bypass-governance-retention"]);
      expect(await lab.minio.versions(bucket), "an administrator can empty a staging bucket").to.deep.equal([]);
    });

    it("MinIO takes the program's lifecycle rules for the bucket (but for the one element it lacks)", async () => {
      const rules = backupLifecycleRules(STACK).map((r) => ({
        ID: r.id,
        Status: r.status,
        Filter: { Prefix: r.filter.prefix },
        NoncurrentVersionExpiration: { NoncurrentDays: r.noncurrentVersionExpiration.noncurrentDays },
        Expiration: { ExpiredObjectDeleteMarker: r.expiration.expiredObjectDeleteMarker },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: r.abortIncompleteMultipartUpload.daysAfterInitiation },
      }));
      await lab.minio.aws(["s3api", "put-bucket-lifecycle-configuration", "--bucket", lab.bucket, "--lifecycle-configuration", JSON.stringify({ Rules: rules })]);
      const readBack = JSON.parse(await lab.minio.aws(["s3api", "get-bucket-lifecycle-configuration", "--bucket", lab.bucket]));
      // MinIO's lifecycle has no AbortIncompleteMultipartUpload: it accepts the element and drops it, and removes
      // stale uploads on its own (MINIO_API_STALE_UPLOADS_EXPIRY, 24 h). Everything else it keeps as given.
      expect(readBack.Rules).to.deep.equal(rules.map(({ AbortIncompleteMultipartUpload: _dropped, ...kept }) => kept));
    });
  });

  describe("the test MinIO", () => {
    it("listens on loopback only: 127.0.0.1, and ::1, which MinIO always adds for its console", () => {
      const port = Number(new URL(lab.minio.endpoint).port).toString(16).toUpperCase().padStart(4, "0");
      const listening = ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
        fs
          .readFileSync(file, "utf8")
          .split("\n")
          .slice(1)
          .map((line) => line.trim().split(/\s+/))
          .filter((f) => f.length > 3 && f[3] === "0A" && f[1].endsWith(`:${port}`))
          .map((f) => f[1].slice(0, -5)),
      );
      expect(listening.sort()).to.deep.equal(["00000000000000000000000001000000", "0100007F"]);
    });
  });

  describe("least privilege: the job's MinIO user holds the program's policy, and S3 refuses everything else", () => {
    it("holds exactly the generated statements MinIO can express; MinIO refuses the one it cannot", async () => {
      const generated = backupAccessPolicy(`arn:aws:s3:::${lab.bucket}`, "arn:aws:kms:eu-west-1:111122223333:key/6f1c1c3e-backups", STACK);
      expect(generated.Statement.map((s) => s.Sid)).to.deep.equal(["ListOwnPrefix", "ReadWriteOwnPrefix", "HideOwnPrefixObjects", "UseBackupKey", "NeverDestroyBackups"]);
      const held = JSON.parse(await lab.minio.mc(["admin", "policy", "info", "local", `${lab.job.accessKeyId}-policy`, "--json"]));
      expect(held.policyInfo.Policy.Statement.map((s: { Sid: string }) => s.Sid)).to.deep.equal(["ListOwnPrefix", "ReadWriteOwnPrefix", "HideOwnPrefixObjects", "NeverDestroyBackups"]);
      expect(NOT_IN_MINIO).to.deep.equal(["UseBackupKey"]);
      const file = path.join(lab.workRoot, "full-policy.json");
      fs.writeFileSync(file, JSON.stringify(generated));
      const create = (name: string) => lab.minio.mc(["admin", "policy", "create", "local", name, file]).then(() => "accepted", (err: Error) => err.message);
      expect(await create("with-key-statement"), "a KMS key is no MinIO resource").to.include("Unable to create new policy: invalid resource 'arn:aws:kms:eu-west-1:111122223333:key/6f1c1c3e-backups'");
      const onAnyResource = { ...generated, Statement: generated.Statement.map((s) => (s.Sid === "UseBackupKey" ? { ...s, Resource: ["*"] } : s)) };
      fs.writeFileSync(file, JSON.stringify(onAnyResource));
      expect(await create("with-kms-actions"), "nor are the KMS data-plane actions MinIO actions").to.match(/Unable to create new policy: unsupported action 'kms:(Encrypt|Decrypt|GenerateDataKey)'/);
    });

    it("refuses other prefixes, version deletes, lock, lifecycle, policy and bucket changes", async () => {
      await lab.minio.upload(dumpFile, lab.bucket, "staging/orders/2026/11/30/orders-20261130T030000Z-0000bbbb.dump");
      const [staged] = await lab.minio.versions(lab.bucket, "staging/");
      const denied: [string, string[]][] = [
        ["list another stack's prefix", ["s3api", "list-objects-v2", "--bucket", lab.bucket, "--prefix", "staging/"]],
        ["list the whole bucket", ["s3api", "list-objects-v2", "--bucket", lab.bucket]],
        ["read another stack's backup", ["s3api", "get-object", "--bucket", lab.bucket, "--key", staged.key, path.join(lab.workRoot, "x")]],
        ["delete another stack's backup", ["s3api", "delete-object", "--bucket", lab.bucket, "--key", staged.key]],
        ["delete a version", ["s3api", "delete-object", "--bucket", lab.bucket, "--key", staged.key, "--version-id", staged.versionId]],
        ["change the Object Lock", ["s3api", "put-object-lock-configuration", "--bucket", lab.bucket, "--object-lock-configuration", '{"ObjectLockEnabled":"Enabled"}']],
        ["change the lifecycle", ["s3api", "delete-bucket-lifecycle", "--bucket", lab.bucket]],
        ["set a bucket policy", ["s3api", "put-bucket-policy", "--bucket", lab.bucket, "--policy", '{"Version":"2012-10-17","Statement":[]}']],
        ["suspend versioning", ["s3api", "put-bucket-versioning", "--bucket", lab.bucket, "--versioning-configuration", "Status=Suspended"]],
        ["list the buckets", ["s3api", "list-buckets"]],
        ["delete the bucket", ["s3api", "delete-bucket", "--bucket", lab.bucket]],
      ];
      for (const [what, args] of denied) {
        const result = await lab.minio.awsResult(args, lab.job);
        expect(result.status, `${what}: ${result.stderr}`).to.equal(254);
        expect(result.stderr, what).to.match(/\(AccessDenied\)/);
      }
    });
  });
});
