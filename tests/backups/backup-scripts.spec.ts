import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BACKUP_SCRIPT,
  BackupLab,
  COMMON_LIBRARY,
  DATABASE,
  DRILL_ROLE,
  DRILL_SCRIPT,
  errorLines,
  expectFailure,
  FINAL_KEY,
  flipBytes,
  regexpEscape,
  type ScriptRun,
  sha256,
} from "./fixtures/backup-lab";
import { AWS_CLI, MINIO_KMS_KEY, type StoredObject } from "./fixtures/minio";
import { fingerprints } from "./fixtures/orders-database";
import { freePort, run } from "../processes";
import { type Push, samples } from "./fixtures/pushgateway";
import { type RecordedRequest, RecordingLink } from "./fixtures/recording-link";
import { ResetLink } from "./fixtures/tcp-links";

describe("backup scripts against PostgreSQL 15 and MinIO, as the job's least-privilege user", function () {
  let lab: BackupLab;
  let loggingAws: string;

  before(async function () {
    this.timeout(180_000);
    lab = await BackupLab.start();
    // A transparent awscli that appends each call's arguments to $AWS_CALL_LOG, one call a line.
    loggingAws = lab.writeTool("aws-logging", `printf '%s\\n' "$*" >> "$AWS_CALL_LOG"\nexec ${AWS_CLI} "$@"\n`);
  });

  after(async function () {
    this.timeout(60_000);
    await lab?.stop();
  });

  // The first successful backup, made once and shared: the round trip asserts on it, the drill
  // restores it, and every fault test checks that it is still there untouched.
  interface Baseline extends ScriptRun {
    readonly objects: StoredObject[];
    readonly pushes: Push[];
    readonly awsCalls: S3Operation[];
  }
  let baselinePromise: Promise<Baseline> | undefined;
  function baseline(): Promise<Baseline> {
    baselinePromise ??= (async () => {
      lab.pushgateway.reset();
      const awsCalls = path.join(lab.workRoot, "baseline-aws-calls.log");
      const backup = await lab.runBackup({ PUSHGATEWAY_URL: lab.pushgateway.url, AWS_CLI: loggingAws, AWS_CALL_LOG: awsCalls, BACKUP_KMS_KEY_ID: MINIO_KMS_KEY });
      return { ...backup, objects: await lab.minio.list(lab.bucket), pushes: [...lab.pushgateway.pushes], awsCalls: s3Operations(awsCalls) };
    })();
    return baselinePromise;
  }
  async function baselineKey(): Promise<string> {
    const b = await baseline();
    expect(b.result.status, `the baseline backup failed:\n${b.result.stderr}`).to.equal(0);
    const key = b.objects.map((o) => o.key).find((k) => FINAL_KEY.test(k));
    expect(key, "the baseline backup's final key").to.be.a("string");
    return key!;
  }

  // --- the scripts themselves -------------------------------------------------------------------

  describe("static checks", () => {
    // -x follows `source`: the scripts' own `shellcheck source-path=SCRIPTDIR` directive finds
    // pg-common.sh from any working directory, and the library is checked as the scripts use it.
    // A source shellcheck could not follow would show as SC1091 and fail the check.
    for (const script of [BACKUP_SCRIPT, DRILL_SCRIPT]) {
      it(`${path.basename(script)} is executable and shellcheck-clean, with the library it sources`, async () => {
        expect(fs.statSync(script).mode & 0o111, "executable bits").to.equal(0o111);
        const result = await run("/usr/bin/shellcheck", ["--shell=bash", "--severity=style", "-x", script], { env: { PATH: "/usr/bin:/bin" } });
        expect(result.status, `shellcheck:\n${result.stdout}${result.stderr}`).to.equal(0);
      });
    }

    it("pg-common.sh is shellcheck-clean on its own", async () => {
      const result = await run("/usr/bin/shellcheck", ["--shell=bash", "--severity=style", COMMON_LIBRARY], { env: { PATH: "/usr/bin:/bin" } });
      expect(result.status, `shellcheck:\n${result.stdout}${result.stderr}`).to.equal(0);
    });

    it("sourcing pg-common.sh only defines its functions: no output, variable, option or trap", async () => {
      // Snapshots the shell's variable names, traps and options around `source`, then lists the functions.
      const probe = [
        "state() { compgen -v | grep -Evx '_|BASH_.*|FUNCNAME|PIPESTATUS|before|after'; trap -p; set +o; shopt -p; }",
        "before=$(state)",
        'source "$0"',
        "after=$(state)",
        '[[ $before == "$after" ]] || { diff <(printf \'%s\\n\' "$before") <(printf \'%s\\n\' "$after") >&2; exit 1; }',
        "declare -F",
      ].join("\n");
      const result = await run("/bin/bash", ["-c", probe, COMMON_LIBRARY], { env: { PATH: "/usr/bin:/bin" } });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr, "stderr").to.equal("");
      const functions = result.stdout.split("\n").filter((line) => line !== "").map((line) => line.replace(/^declare -f /, ""));
      expect(functions.filter((f) => f !== "state"), "the library's functions").to.deep.equal([
        "check_backup_prefix", "config_error", "database_label_path", "die", "first_error", "install_traps", "is_space_error",
        "log", "lost_output", "on_signal", "push_metrics", "report_failure", "require", "require_whole_number", "run_step", "silent_end", "state_dir_unwritable", "stop_step", "use_s3cli",
      ]);
    });

    for (const [script, tool] of [[BACKUP_SCRIPT, "pg-backup"], [DRILL_SCRIPT, "pg-restore-drill"]] as const) {
      it(`${path.basename(script)} without pg-common.sh beside it fails with one ERROR line, exit status 2`, async () => {
        const alone = fs.mkdtempSync(path.join(lab.workRoot, "alone-"));
        const copy = path.join(alone, path.basename(script));
        fs.copyFileSync(script, copy);
        fs.chmodSync(copy, 0o755);
        const result = await run(copy, [], { env: { PATH: "/usr/bin:/bin" } });
        expect(result.status, `exit status; stderr:\n${result.stderr}`).to.equal(2);
        expect(result.stderr, "all it prints").to.equal(`${tool}: ERROR: configuration: ${alone}/pg-common.sh is missing: deploy it next to this script\n`);
      });
    }
  });

  describe("pg-backup.sh", () => {
    it("round trip: stores one verified, SSE-KMS encrypted dump and its manifest, and the dump restores to identical data", async function () {
      this.timeout(180_000);
      const { result, scratchLeft, tmpLeft, objects, pushes, awsCalls } = await baseline();
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(errorLines(result, "pg-backup"), "no ERROR line").to.deep.equal([]);
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(tmpLeft, "files left in TMPDIR").to.deep.equal([]);
      // Upload straight to the run's own key, read it back (the retention's listing beside it), check that S3
      // encrypted it, the manifest last; every write asks for aws:kms with the key.
      expect(awsCalls[0], "first").to.deep.equal({ op: "upload dump", sse: MINIO_KMS_KEY });
      expect(awsCalls.slice(1, 3), "then, side by side").to.have.deep.members([
        { op: "read back dump", sse: null },
        { op: "list backups", sse: null },
      ]);
      expect(awsCalls.slice(3), "last").to.deep.equal([
        { op: "head", sse: null },
        { op: "put manifest", sse: MINIO_KMS_KEY },
      ]);

      // Exactly the dump and its manifest, both encrypted with the key by MinIO.
      expect(objects.map((o) => o.key), "objects in the bucket").to.have.length(2);
      const [dump, manifestObject] = objects;
      const match = FINAL_KEY.exec(dump.key);
      expect(match, `final key ${dump.key}`).to.not.equal(null);
      const [, year, month, day, stampYear, stampMonth, stampDay, hour, minute, second] = match!;
      expect(`${year}${month}${day}`, "date folders agree with the timestamp").to.equal(`${stampYear}${stampMonth}${stampDay}`);
      expect(manifestObject.key).to.equal(`${dump.key}.manifest.json`);
      for (const object of objects) {
        const head = JSON.parse(await lab.minio.aws(["s3api", "head-object", "--bucket", lab.bucket, "--key", object.key]));
        expect([head.ServerSideEncryption, head.SSEKMSKeyId], `${object.key} encryption`).to.deep.equal(["aws:kms", `arn:aws:kms:${MINIO_KMS_KEY}`]);
        expect(head.ObjectLockMode, `${object.key} lock`).to.equal("COMPLIANCE");
      }

      const local = path.join(lab.workRoot, "roundtrip.dump");
      const manifestFile = path.join(lab.workRoot, "roundtrip.manifest.json");
      await lab.minio.download(lab.bucket, dump.key, local);
      await lab.minio.download(lab.bucket, manifestObject.key, manifestFile);
      const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
      expect(Object.keys(manifest).sort(), "manifest fields").to.deep.equal(
        ["database", "duration_seconds", "key", "pg_dump_version", "pg_server_version", "sha256", "size_bytes", "timestamp"],
      );
      expect(manifest.database).to.equal(DATABASE);
      expect(manifest.key).to.equal(dump.key);
      expect(manifest.size_bytes, "size_bytes = the object's size").to.equal(dump.size).and.to.equal(fs.statSync(local).size);
      expect(manifest.sha256, "sha256 of the stored object").to.equal(sha256(local));
      expect(manifest.size_bytes, "the 1 MiB of bytea is in the dump").to.be.greaterThan(1_000_000);
      expect(manifest.duration_seconds).to.be.a("number").and.at.least(0);
      expect(manifest.pg_server_version).to.match(/^15\.\d+/);
      expect(manifest.pg_dump_version).to.match(/^15\.\d+/);
      expect(manifest.timestamp, "timestamp = the key's").to.equal(`${stampYear}-${stampMonth}-${stampDay}T${hour}:${minute}:${second}Z`);

      // Restore into a fresh database and compare every table, sequence, view, function and large object.
      await lab.pg.sql("postgres", "CREATE DATABASE roundtrip_copy");
      await lab.pg.restore("roundtrip_copy", local);
      const source = await fingerprints(lab.pg, DATABASE);
      expect(Object.keys(source), "what is compared").to.include.members([
        "public.customers", "public.orders", "blobs.attachments", "public.audit_log", "view public.order_totals", "function customer_name(integer)", "large object 424242",
      ]);
      expect(await fingerprints(lab.pg, "roundtrip_copy"), "restored contents").to.deep.equal(source);
      expect(await lab.pg.sql("roundtrip_copy", "SELECT note FROM public.customers WHERE name = '山田太郎'"), "non-ASCII text").to.equal("🐘 elephant");

      // One push-add of the success metrics, and no failure metric.
      expect(pushes.map((p) => `${p.method} ${p.path}`), "pushes").to.deep.equal(["POST /metrics/job/pg_backup/database/orders"]);
      const pushed = samples(pushes[0].body);
      expect([...pushed.keys()].sort()).to.deep.equal(["pg_backup_duration_seconds", "pg_backup_last_success_timestamp_seconds", "pg_backup_retained_backups", "pg_backup_size_bytes"]);
      expect(pushed.get("pg_backup_size_bytes")).to.equal(manifest.size_bytes);
      expect(pushed.get("pg_backup_duration_seconds")).to.equal(manifest.duration_seconds);
      expect(pushed.get("pg_backup_retained_backups"), "the one complete backup").to.equal(1);
      expect(pushed.get("pg_backup_last_success_timestamp_seconds")).to.be.within(Date.now() / 1000 - 600, Date.now() / 1000 + 5);
    });

    it("without BACKUP_KMS_KEY_ID, passes no SSE flag at all (the bucket's default encryption applies)", async () => {
      const awsCalls = path.join(lab.workRoot, "no-kms-aws-calls.log");
      const { result } = await lab.runBackup({ BACKUP_PREFIX: "production/no-kms", AWS_CLI: loggingAws, AWS_CALL_LOG: awsCalls });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr).to.include("pg-backup: encryption: no SSE flag (BACKUP_KMS_KEY_ID is empty); the bucket's default encryption applies\n");
      expect(s3Operations(awsCalls).map((o) => o.sse)).to.deep.equal([null, null, null, null, null]);
      // The bucket's default encryption applied, and the run checked that it did.
      expect(result.stderr).to.match(/pg-backup: verified: pg_restore read the whole dump, and S3 returns exactly its bytes \(sha256 [0-9a-f]{64}\), encrypted \(aws:kms\)\n/);
    });
  });

  describe("pg-restore-drill.sh", () => {
    it("restores the newest backup into a scratch database, checks the tables, drops it, and reports its restore time", async () => {
      const key = await baselineKey();
      const before = await lab.minio.versions(lab.bucket);
      lab.pushgateway.reset();
      const { result, scratchLeft, tmpLeft } = await lab.runDrill({ PUSHGATEWAY_URL: lab.pushgateway.url });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr).to.include(`pg-restore-drill: newest backup: s3://${lab.bucket}/${key}\n`);
      expect(result.stderr).to.match(/pg-restore-drill: creating scratch database restore_drill_\d{14}_[0-9a-f]{8} /);
      expect(result.stderr).to.include("pg-restore-drill: public.orders: 5000 rows\n");
      expect(result.stderr).to.include("pg-restore-drill: blobs.attachments: 64 rows\n");
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(tmpLeft, "files left in TMPDIR").to.deep.equal([]);
      expect(await lab.minio.versions(lab.bucket), "the drill only reads").to.deep.equal(before);
      // The same `database` label as pg-backup.sh's metrics: the prefix is <stack>/<database>.
      expect(lab.pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_restore_drill/database/orders"]);
      const pushed = samples(lab.pushgateway.pushes[0].body);
      expect([...pushed.keys()].sort()).to.deep.equal([
        "pg_restore_drill_duration_seconds",
        "pg_restore_drill_last_success_timestamp_seconds",
        "pg_restore_drill_restore_duration_seconds",
      ]);
      const restored = /restored in (\d+)s/.exec(result.stderr);
      expect(restored, "the log states the restore time").to.not.equal(null);
      expect(pushed.get("pg_restore_drill_restore_duration_seconds"), "the metric is the logged restore time").to.equal(Number(restored![1]));
      expect(pushed.get("pg_restore_drill_restore_duration_seconds")!, "a part of the whole drill").to.be.at.most(pushed.get("pg_restore_drill_duration_seconds")!);
    });

    it("fails on an empty table, names it, still drops the scratch database, and pushes only the failure metric", async () => {
      await baselineKey();
      lab.pushgateway.reset();
      const { result, scratchLeft } = await lab.runDrill({ DRILL_TABLES: "public.customers,public.audit_log", PUSHGATEWAY_URL: lab.pushgateway.url });
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: row check failed: public\.audit_log has 0 rows \(need >= 1\)$/);
      expect(result.stderr, "the scratch database was created").to.match(/creating scratch database restore_drill_\d{14}_[0-9a-f]{8}/);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(lab.pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_restore_drill/database/orders"]);
      expect([...samples(lab.pushgateway.pushes[0].body).keys()], "a failure must not touch the success gauges").to.deep.equal(["pg_restore_drill_last_failure_timestamp_seconds"]);
    });

    it("fails on a missing table and on too few rows, names both, and still drops the scratch database", async () => {
      await baselineKey();
      // "08" as a person writes it: bash would read it as a bad octal number.
      const { result } = await lab.runDrill({ DRILL_TABLES: "public.customers, public.missing", DRILL_MIN_ROWS: "08" });
      expectFailure(
        result,
        "pg-restore-drill",
        /^pg-restore-drill: ERROR: row check failed: public\.customers has 5 rows \(need >= 8\); public\.missing does not exist in the restored database$/,
      );
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
    });

    let baselineFiles: Promise<{ dump: string; manifest: string }> | undefined;
    /** The baseline backup's dump and manifest, downloaded once. */
    function baselineCopy(): Promise<{ dump: string; manifest: string }> {
      baselineFiles ??= (async () => {
        const key = await baselineKey();
        const files = { dump: path.join(lab.workRoot, "baseline.dump"), manifest: path.join(lab.workRoot, "baseline.manifest.json") };
        await lab.minio.download(lab.bucket, key, files.dump);
        await lab.minio.download(lab.bucket, `${key}.manifest.json`, files.manifest);
        return files;
      })();
      return baselineFiles;
    }

    /**
     * Puts a copy of the baseline dump under `key` with a manifest for it, as pg-backup.sh would.
     * `garbage` replaces the copy (the manifest then describes the garbage); `edit` changes it
     * after the manifest was made; `withManifest: false` leaves the manifest out.
     */
    async function seedBackup(key: string, options: { edit?: (file: string) => void; withManifest?: boolean; garbage?: boolean } = {}): Promise<void> {
      const source = await baselineCopy();
      const file = path.join(lab.workRoot, "seed.dump");
      const manifestFile = path.join(lab.workRoot, "seed.manifest.json");
      if (options.garbage) fs.writeFileSync(file, "not a pg_dump archive\n");
      else fs.copyFileSync(source.dump, file);
      const manifest = { ...JSON.parse(fs.readFileSync(source.manifest, "utf8")), key, sha256: sha256(file), size_bytes: fs.statSync(file).size };
      options.edit?.(file);
      await lab.minio.upload(file, lab.bucket, key);
      if (options.withManifest ?? true) {
        fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
        await lab.minio.upload(manifestFile, lab.bucket, `${key}.manifest.json`);
      }
    }

    it("picks the greatest key that has a manifest, skipping older backups and unfinished dumps", async () => {
      const prefix = "production/drill-selection";
      await seedBackup(`${prefix}/2026/03/01/orders-20260301T020000Z-0a0a0a0a.dump`, { garbage: true }); // older, and would not restore
      await seedBackup(`${prefix}/2026/03/02/orders-20260302T020000Z-1b1b1b1b.dump`); // the newest complete backup
      await seedBackup(`${prefix}/2026/03/03/orders-20260303T020000Z-2c2c2c2c.dump`, { garbage: true, withManifest: false }); // unfinished
      const { result } = await lab.runDrill({ BACKUP_PREFIX: prefix });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr).to.include(`skipping s3://${lab.bucket}/${prefix}/2026/03/03/orders-20260303T020000Z-2c2c2c2c.dump: it has no manifest`);
      expect(result.stderr).to.include(`newest backup: s3://${lab.bucket}/${prefix}/2026/03/02/orders-20260302T020000Z-1b1b1b1b.dump\n`);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
    });

    it("fails on a newest backup that matches its manifest but is no archive (a dump corrupted before it was checksummed), and drops the scratch database", async () => {
      const prefix = "production/drill-corrupt";
      await seedBackup(`${prefix}/2026/03/01/orders-20260301T020000Z-4e4e4e4e.dump`); // an older good one is not a fallback
      await seedBackup(`${prefix}/2026/03/02/orders-20260302T020000Z-5f5f5f5f.dump`, { garbage: true });
      lab.pushgateway.reset();
      const { result, scratchLeft } = await lab.runDrill({ BACKUP_PREFIX: prefix, PUSHGATEWAY_URL: lab.pushgateway.url });
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: pg_restore into restore_drill_\d{14}_[0-9a-f]{8} failed: input file does not appear to be a valid archive \(too short\?\)$/);
      expect(result.stderr).to.include(`newest backup: s3://${lab.bucket}/${prefix}/2026/03/02/orders-20260302T020000Z-5f5f5f5f.dump\n`);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect([...samples(lab.pushgateway.pushes[0].body).keys()], "the failure metric, alone").to.deep.equal(["pg_restore_drill_last_failure_timestamp_seconds"]);
    });

    it("refuses a backup whose bytes do not match its manifest, before creating a database", async () => {
      const prefix = "production/drill-tampered";
      const key = `${prefix}/2026/03/02/orders-20260302T020000Z-3d3d3d3d.dump`;
      await seedBackup(key, { edit: (file) => flipBytes(file, 500_000) });
      const { result, scratchLeft } = await lab.runDrill({ BACKUP_PREFIX: prefix });
      expectFailure(result, "pg-restore-drill", new RegExp(`^pg-restore-drill: ERROR: checksum mismatch: s3://${lab.bucket}/${regexpEscape(key)} has sha256 [0-9a-f]{64} \\(\\d+ bytes\\), its manifest says [0-9a-f]{64} \\(\\d+ bytes\\)$`));
      expect(result.stderr).to.not.include("creating scratch database");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
    });

    // As the backup's own test: RLIMIT_FSIZE refuses the download's writes as a full scratch volume would.
    it("scratch area full: the download's writes are refused, said as such, before creating a database", async () => {
      await baselineKey();
      const { result, scratchLeft, tmpLeft } = await lab.start(DRILL_SCRIPT, lab.drillEnv(), {}, (script) => ["/bin/bash", ["-c", 'trap "" XFSZ; ulimit -f 256; exec "$0"', script]]).done;
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: scratch area full: backup download: \[Errno 27\] File too large \(SCRATCH_DIR=\S+\)$/);
      expect(result.stderr).to.not.include("creating scratch database");
      expect([scratchLeft, tmpLeft], "files left in SCRATCH_DIR and TMPDIR").to.deep.equal([[], []]);
    });

    // psql runs in a command substitution there, not through run_step: the status named must be its own, not
    // that of the step before it (the checksum, which succeeded).
    it("psql failing without a word when creating the scratch database: the ERROR line gives its status", async () => {
      await baselineKey();
      lab.writeTool("silent-psql/psql", 'for a in "$@"; do if [[ $a == "CREATE DATABASE "* ]]; then exit 2; fi; done\nexec /usr/bin/psql "$@"\n');
      const { result, scratchLeft } = await lab.runDrill({ PATH: `${path.join(lab.toolsDir, "silent-psql")}:/usr/bin:/bin` });
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: creating scratch database restore_drill_\d{14}_[0-9a-f]{8} failed: it exited with status 2 and printed nothing$/);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
    });

    it("fails clearly when there is no backup", async () => {
      const { result } = await lab.runDrill({ BACKUP_PREFIX: "production/nothing-here" });
      expectFailure(result, "pg-restore-drill", new RegExp(`^pg-restore-drill: ERROR: no backup found under s3://${lab.bucket}/production/nothing-here/ `));
    });
  });

  describe("pg-backup.sh faults: non-zero exit, one clear message, no new backup visible, nothing left behind", () => {
    /**
     * Runs a failing backup and checks what every failure must leave behind: the earlier backup still there
     * with the same ETag and size, no new current object, no open multipart upload, no local files. The
     * whole listing is compared, so any write shows. Returns what the run added to the bucket's versions.
     */
    async function expectFailedBackup(message: RegExp, overrides: Record<string, string | undefined>, wrap?: (script: string) => [string, string[]], status = 1) {
      const key = await baselineKey();
      const before = await lab.minio.list(lab.bucket);
      const versionsBefore = await lab.minio.versions(lab.bucket);
      expect(before.map((o) => o.key), "the earlier backup is there").to.include.members([key, `${key}.manifest.json`]);
      const { result, scratchLeft, tmpLeft } = await lab.runBackup(overrides, wrap);
      expectFailure(result, "pg-backup", message, status);
      expect(await lab.minio.list(lab.bucket), "objects after the failed run").to.deep.equal(before);
      expect(await lab.minio.openUploads(lab.bucket), "open multipart uploads").to.deep.equal([]);
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(tmpLeft, "files left in TMPDIR").to.deep.equal([]);
      const added = (await lab.minio.versions(lab.bucket)).filter((v) => !versionsBefore.some((b) => b.versionId === v.versionId && b.key === v.key));
      return { result, added };
    }

    /** What Object Lock leaves of a dump the run uploaded and then deleted: its locked version, hidden behind a delete marker. */
    function expectHiddenDump(added: { key: string; deleteMarker: boolean; isLatest: boolean }[]): void {
      expect(added.map((v) => [v.deleteMarker, v.isLatest]).sort(), "versions the run added").to.deep.equal([
        [false, false],
        [true, true],
      ]);
      expect(new Set(added.map((v) => v.key)).size, "both of one key").to.equal(1);
      expect(added[0].key).to.match(FINAL_KEY);
    }

    it("database unreachable (nothing listens on PGPORT), and pushes only the failure metric", async () => {
      const closedPort = await freePort();
      lab.pushgateway.reset();
      const { added } = await expectFailedBackup(
        new RegExp(`^pg-backup: ERROR: pg_dump failed: connection to server at "127\\.0\\.0\\.1", port ${closedPort} failed: Connection refused$`),
        { PGPORT: String(closedPort), PUSHGATEWAY_URL: lab.pushgateway.url },
      );
      expect(added, "nothing was written").to.deep.equal([]);
      expect(lab.pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_backup/database/orders"]);
      expect([...samples(lab.pushgateway.pushes[0].body).keys()], "a failure must not touch the success gauges").to.deep.equal(["pg_backup_last_failure_timestamp_seconds"]);
    });

    it("Pushgateway unreachable as well: the run still fails with its one ERROR line, and the warning never prints the URL's password", async () => {
      const [closedPgPort, closedPushPort] = [await freePort(), await freePort()];
      const { result } = await expectFailedBackup(/^pg-backup: ERROR: pg_dump failed: connection to server at "127\.0\.0\.1", port \d+ failed: Connection refused$/, {
        PGPORT: String(closedPgPort),
        PUSHGATEWAY_URL: `http://metrics:push-secret-3f9a@127.0.0.1:${closedPushPort}/`,
      });
      const warnings = result.stderr.split("\n").filter((line) => line.includes("WARNING"));
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(
        new RegExp(`^pg-backup: WARNING: could not push metrics to http://<credentials>@127\\.0\\.0\\.1:${closedPushPort}/metrics/job/pg_backup/database/orders: curl: \\(7\\) Failed to connect to 127\\.0\\.0\\.1 port ${closedPushPort} after \\d+ ms: Couldn't connect to server$`),
      );
      expect(result.stderr, "the password").to.not.include("push-secret-3f9a");
    });

    it("sslmode verify-full without the CA bundle: libpq refuses to connect (what PGSSLROOTCERT in the CronJob prevents)", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: pg_dump failed: connection to server at "127\.0\.0\.1", port \d+ failed: root certificate file ".*" does not exist/, { PGSSLMODE: "verify-full" });
    });

    it("sslmode verify-full with PGSSLROOTCERT naming the CA that signed the server's certificate: the backup succeeds over TLS", async () => {
      const { result } = await lab.runBackup({ BACKUP_PREFIX: "production/verify-full", PGSSLMODE: "verify-full", PGSSLROOTCERT: lab.pg.caFile });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(errorLines(result, "pg-backup")).to.deep.equal([]);
    });

    it("wrong database password", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: pg_dump failed: .*password authentication failed for user "backup_runner"$/, { PGPASSWORD: "wrong" });
    });

    // pg_dump's "detail:" line carries what its error line lacks: the query refused here, the two versions when
    // it refuses a server newer than itself ("aborting because of server version mismatch").
    it("a role without SELECT on the tables (the drill's role): the refused query is in the ERROR line", async () => {
      const { added } = await expectFailedBackup(
        /^pg-backup: ERROR: pg_dump failed: query failed: ERROR: {2}permission denied for table (\w+) \(Query was: LOCK TABLE \w+\.\1 IN ACCESS SHARE MODE\)$/,
        { PGUSER: DRILL_ROLE.user, PGPASSWORD: DRILL_ROLE.password },
      );
      expect(added, "nothing was written").to.deep.equal([]);
    });

    it("S3 unreachable (nothing listens on the endpoint)", async function () {
      this.timeout(240_000);
      const closedPort = await freePort();
      await expectFailedBackup(/^pg-backup: ERROR: upload failed: Could not connect to the endpoint URL: "http:\/\/127\.0\.0\.1:\d+\//, {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
      });
    });

    /** An awscli configuration that makes the small test dump a multipart upload, as every real dump above 8 MiB is. */
    function multipartConfig(): string {
      const file = path.join(lab.workRoot, "aws-multipart-config");
      fs.writeFileSync(file, "[default]\ns3 =\n  multipart_threshold = 1MB\n  multipart_chunksize = 5MB\n");
      return file;
    }

    it("S3 connection reset in the middle of every upload attempt: awscli gives up and aborts its multipart upload, nothing is stored", async function () {
      this.timeout(240_000);
      const link = await ResetLink.start({ host: "127.0.0.1", port: Number(new URL(lab.minio.endpoint).port) }, 300 * 1024);
      try {
        const { added } = await expectFailedBackup(
          /^pg-backup: ERROR: upload failed: Connection was closed before we received a valid response from endpoint URL: "http:\/\/127\.0\.0\.1:\d+\/backups-[0-9a-f]{8}\/production\/orders\/\S+\.dump\?uploadId=\S+&partNumber=1"\.$/,
          { AWS_ENDPOINT_URL: link.endpoint, AWS_CONFIG_FILE: multipartConfig() },
        );
        expect(added, "nothing was written").to.deep.equal([]);
        expect(link.resets, "awscli retried the part before giving up").to.be.above(1);
      } finally {
        await link.stop();
      }
    });

    it("S3 connection reset twice mid-upload, then healthy: awscli's retries store the backup, which the read-back verifies", async function () {
      this.timeout(240_000);
      const prefix = "production/reset-twice";
      const link = await ResetLink.start({ host: "127.0.0.1", port: Number(new URL(lab.minio.endpoint).port) }, 300 * 1024, 2);
      try {
        const { result, scratchLeft, tmpLeft } = await lab.runBackup({ BACKUP_PREFIX: prefix, AWS_ENDPOINT_URL: link.endpoint, AWS_CONFIG_FILE: multipartConfig() });
        expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
        expect(link.resets, "both resets happened").to.equal(2);
        expect([scratchLeft, tmpLeft], "files left in SCRATCH_DIR and TMPDIR").to.deep.equal([[], []]);
        const [dump] = await lab.dumps(`${prefix}/`);
        const file = path.join(lab.workRoot, "reset-twice.dump");
        const manifestFile = path.join(lab.workRoot, "reset-twice.manifest.json");
        await lab.minio.download(lab.bucket, dump, file);
        await lab.minio.download(lab.bucket, `${dump}.manifest.json`, manifestFile);
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
        expect([manifest.sha256, manifest.size_bytes], "the manifest describes the stored bytes").to.deep.equal([sha256(file), fs.statSync(file).size]);
        expect(await lab.minio.openUploads(lab.bucket, `${prefix}/`), "open multipart uploads").to.deep.equal([]);
      } finally {
        await link.stop();
      }
    });

    // AWS refuses an upload into a bucket with default Object Lock retention (the backup bucket's) without a
    // Content-MD5 or x-amz-checksum-* header; MinIO takes one without either, so only the requests can show it.
    it("every upload, single and each multipart part, carries a Content-MD5 or a checksum header, as S3 demands for an Object Lock bucket", async function () {
      this.timeout(240_000);
      const prefix = "production/upload-checksums";
      const link = await RecordingLink.start({ host: "127.0.0.1", port: Number(new URL(lab.minio.endpoint).port) });
      try {
        const { result } = await lab.runBackup({ BACKUP_PREFIX: prefix, AWS_ENDPOINT_URL: link.endpoint, AWS_CONFIG_FILE: multipartConfig() });
        expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      } finally {
        await link.stop();
      }
      const uploads = link.requests.filter((r) => r.method === "PUT" && r.url.includes(`/${prefix}/`));
      const kind = (r: RecordedRequest) => (r.url.includes("partNumber=") ? "UploadPart" : "PutObject");
      const file = (r: RecordedRequest) => (new URL(r.url, link.endpoint).pathname.endsWith(".manifest.json") ? "manifest" : "dump");
      // The dump goes up in parts (multipart_threshold 1MB), the manifest in one request.
      expect([...new Set(uploads.map((r) => `${file(r)} ${kind(r)}`))].sort()).to.deep.equal(["dump UploadPart", "manifest PutObject"]);
      const unchecked = uploads.filter((r) => r.headers["content-md5"] === undefined && !Object.keys(r.headers).some((h) => h.startsWith("x-amz-checksum-")));
      expect(unchecked.map((r) => `${r.method} ${r.url}`), "uploads without Content-MD5 or x-amz-checksum-*").to.deep.equal([]);
    });

    it("S3 access denied: an access key id MinIO does not know", async () => {
      const { result, added } = await expectFailedBackup(/^pg-backup: ERROR: upload failed: An error occurred \(InvalidAccessKeyId\) when calling the PutObject operation/, {
        AWS_ACCESS_KEY_ID: "AKIAREVOKEDKEY000000",
      });
      // S3 answers the clean-up's HEAD with 403: nothing was stored, so no delete (a delete marker) is tried.
      expect(result.stderr).to.not.include("deleting unconfirmed object");
      expect(result.stderr).to.not.include("WARNING");
      expect(added, "nothing was written").to.deep.equal([]);
    });

    it("S3 access denied: the right key id with a wrong secret (MinIO checks the signature)", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: upload failed: An error occurred \(SignatureDoesNotMatch\) when calling the PutObject operation/, {
        AWS_SECRET_ACCESS_KEY: "not-the-secret-of-this-key",
      });
    });

    // The CronJob always names the key; a key that was deleted, or another region's, is refused by the service.
    it("SSE-KMS refused: BACKUP_KMS_KEY_ID names a key the KMS does not have", async () => {
      const { added } = await expectFailedBackup(
        /^pg-backup: ERROR: upload failed: An error occurred \(kms:KeyNotFound\) when calling the PutObject operation: key with given key ID does not exist$/,
        { BACKUP_KMS_KEY_ID: "platform-backups-deleted" },
      );
      expect(added, "nothing was written").to.deep.equal([]);
    });

    it("a bucket without default encryption and no BACKUP_KMS_KEY_ID: the plaintext dump is refused and deleted", async () => {
      await lab.minio.mc(["encrypt", "clear", `local/${lab.bucket}`]);
      try {
        const { added } = await expectFailedBackup(
          /^pg-backup: ERROR: not encrypted: s3:\/\/backups-[0-9a-f]{8}\/production\/orders\/\S+\.dump is stored without server-side encryption; set BACKUP_KMS_KEY_ID or give the bucket default encryption$/,
          {},
        );
        expectHiddenDump(added);
      } finally {
        await lab.minio.mc(["encrypt", "set", "sse-kms", MINIO_KMS_KEY, `local/${lab.bucket}`]);
      }
    });

    it("S3 access denied: another stack's prefix is outside the job's policy", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: upload failed: An error occurred \(AccessDenied\) when calling the PutObject operation: Access Denied\.?$/, {
        BACKUP_PREFIX: "staging/orders",
      });
    });

    // A pg_dump that exits 0 after writing a broken file stands for silent corruption (a bug, a broken
    // volume). The table of contents is read before anything is uploaded.
    it("corrupt dump: pg_restore --list rejects it before the upload", async () => {
      lab.writeTool("corrupt/pg_dump", `for a in "$@"; do case $a in --file=*) head -c 4096 /dev/urandom > "\${a#--file=}";; esac; done\n`);
      const { result, added } = await expectFailedBackup(
        /^pg-backup: ERROR: verification failed: pg_restore --list rejected the dump: input file does not appear to be a valid archive/,
        { PATH: `${path.join(lab.toolsDir, "corrupt")}:/usr/bin:/bin` },
      );
      expect(result.stderr).to.not.include("uploading");
      expect(added, "nothing was written").to.deep.equal([]);
    });

    // Truncated after the table of contents: `pg_restore --list` reads only that and accepts the
    // file, so this proves the full read beside the upload (and the clean-up of the upload).
    it("truncated dump: the full read catches what --list does not, and the uploaded dump is deleted", async () => {
      lab.writeTool(
        "truncated/pg_dump",
        `/usr/bin/pg_dump "$@" || exit\nfor a in "$@"; do case $a in --file=*) f=\${a#--file=}; truncate -s $(( $(stat -c %s "$f") / 2 )) "$f";; esac; done\n`,
      );
      const { result, added } = await expectFailedBackup(
        /^pg-backup: ERROR: verification failed: pg_restore could not read the dump's data: could not read from input file: end of file$/,
        { PATH: `${path.join(lab.toolsDir, "truncated")}:/usr/bin:/bin` },
      );
      expect(result.stderr).to.match(new RegExp(`deleting unconfirmed object s3://${lab.bucket}/production/orders/\\d{4}/\\d{2}/\\d{2}/orders-\\d{8}T\\d{6}Z-[0-9a-f]{8}\\.dump\\n`));
      expectHiddenDump(added);
    });

    // An awscli whose downloads arrive with four extra bytes, as a faulty network path or a bad disk in the
    // S3 service would deliver them.
    it("checksum mismatch between the local dump and what S3 returns", async () => {
      const aws = lab.writeTool(
        "aws-extra-bytes",
        `last=\${!#}; before=\${*: -2:1}\nif [[ $before == s3://* && $last == - ]]; then ${AWS_CLI} "$@" || exit; printf 'XXXX'; exit; fi\nexec ${AWS_CLI} "$@"\n`,
      );
      const { added } = await expectFailedBackup(
        new RegExp(`^pg-backup: ERROR: checksum mismatch: s3://${lab.bucket}/production/orders/\\S+ has sha256 [0-9a-f]{64}, the local dump had [0-9a-f]{64} \\(\\d+ bytes\\)$`),
        { AWS_CLI: aws },
      );
      expectHiddenDump(added);
    });

    // openssl 3 exits 0 when it cannot write its result: on a full TMPDIR (a small tmpfs shows it) the dump's
    // checksum and the read-back's both come out empty, and two empty checksums compared equal, so the run
    // stored a backup whose manifest had "sha256": "". This openssl loses its result the same way.
    it("a checksum that comes out empty (openssl exits 0 without writing it, as on a full TMPDIR): no backup, the dump deleted", async () => {
      lab.writeTool("silent-openssl/openssl", 'if [[ $1 == dgst ]]; then cat >/dev/null; exit 0; fi\nexec /usr/bin/openssl "$@"\n');
      const { added } = await expectFailedBackup(/^pg-backup: ERROR: checksumming the dump failed: openssl printed no sha256$/, {
        PATH: `${path.join(lab.toolsDir, "silent-openssl")}:/usr/bin:/bin`,
      });
      expectHiddenDump(added);
    });

    // The manifest write fails (here: its upload alone goes to an endpoint where nothing listens). The dump
    // was stored, so the job deletes it as the job's own MinIO user: the generated policy allows that delete.
    it("manifest write fails: the run deletes its own dump, and no backup without a manifest is left", async function () {
      this.timeout(240_000);
      const closedPort = await freePort();
      const aws = lab.writeTool(
        "aws-manifest-unreachable",
        [
          "last=${!#}",
          'if [[ " $* " == *" s3 cp "* && $last == *.manifest.json ]]; then',
          '  args=(); prev=""',
          `  for a in "$@"; do if [[ $prev == --endpoint-url ]]; then args+=(http://127.0.0.1:${closedPort}); else args+=("$a"); fi; prev=$a; done`,
          `  exec ${AWS_CLI} "\${args[@]}"`,
          "fi",
          `exec ${AWS_CLI} "$@"`,
          "",
        ].join("\n"),
      );
      const { result, added } = await expectFailedBackup(/^pg-backup: ERROR: manifest upload failed: Could not connect to the endpoint URL: "http:\/\/127\.0\.0\.1:\d+\//, { AWS_CLI: aws });
      expect(result.stderr).to.not.include("WARNING: could not delete");
      expectHiddenDump(added);
    });

    // What the kernel's OOM killer does to pg_dump when the container reaches its memory limit: SIGKILL, and
    // pg_dump has no chance to say anything.
    it("pg_dump killed by SIGKILL: the ERROR line names the signal, and bash adds no job notice", async () => {
      lab.writeTool("oom-killed/pg_dump", "kill -KILL $$\n");
      const { result } = await expectFailedBackup(
        /^pg-backup: ERROR: pg_dump failed: it was killed by SIGKILL \(the kernel's OOM killer sends it when the container reaches its memory limit\)$/,
        { PATH: `${path.join(lab.toolsDir, "oom-killed")}:/usr/bin:/bin` },
      );
      expect(result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("pg-backup: ")), "other lines").to.deep.equal([]);
    });

    // The upload step runs openssl and pg_restore beside awscli: a silent failure is named by the status of the
    // tool that failed, not by the step's own.
    it("openssl killed by SIGKILL while checksumming beside the upload: the ERROR line names the signal", async () => {
      lab.writeTool("oom-killed-openssl/openssl", 'if [[ $1 == dgst ]]; then kill -KILL $$; fi\nexec /usr/bin/openssl "$@"\n');
      const { added } = await expectFailedBackup(
        /^pg-backup: ERROR: checksumming the dump failed: it was killed by SIGKILL \(the kernel's OOM killer sends it when the container reaches its memory limit\)$/,
        { PATH: `${path.join(lab.toolsDir, "oom-killed-openssl")}:/usr/bin:/bin` },
      );
      expectHiddenDump(added);
    });

    it("pg_restore killed by SIGKILL while reading the dump beside the upload: the ERROR line names the signal", async () => {
      lab.writeTool("oom-killed-pg_restore/pg_restore", 'if [[ $1 == --file=/dev/null ]]; then kill -KILL $$; fi\nexec /usr/bin/pg_restore "$@"\n');
      const { added } = await expectFailedBackup(
        /^pg-backup: ERROR: verification failed: pg_restore could not read the dump's data: it was killed by SIGKILL \(the kernel's OOM killer sends it when the container reaches its memory limit\)$/,
        { PATH: `${path.join(lab.toolsDir, "oom-killed-pg_restore")}:/usr/bin:/bin` },
      );
      expectHiddenDump(added);
    });

    // A status above 128 is a signal only when it names one: awscli, for one, exits 255 on its own errors.
    it("pg_dump exiting 255 without a word: the ERROR line gives the status, not a signal", async () => {
      lab.writeTool("silent-255/pg_dump", "exit 255\n");
      await expectFailedBackup(/^pg-backup: ERROR: pg_dump failed: it exited with status 255 and printed nothing$/, {
        PATH: `${path.join(lab.toolsDir, "silent-255")}:/usr/bin:/bin`,
      });
    });

    // RLIMIT_FSIZE caps what may be written, so the real pg_dump fails mid-dump on a write the
    // kernel refuses, as it would on a full scratch volume. A small tmpfs would give ENOSPC instead of
    // EFBIG, but mounting one needs privileges CI may not have. SIGXFSZ is ignored so the write
    // returns the error instead of killing pg_dump.
    it("scratch area full: pg_dump's writes are refused", async () => {
      await expectFailedBackup(
        /^pg-backup: ERROR: scratch area full: pg_dump: could not write to output file: File too large \(SCRATCH_DIR=\S+\)$/,
        {},
        (script) => ["/bin/bash", ["-c", 'trap "" XFSZ; ulimit -f 256; exec "$0"', script]],
      );
    });

    it("missing configuration: names the variable and the fix, exit status 2", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: configuration: BACKUP_PREFIX is not set: set it to the key prefix, e.g. production\/orders$/, { BACKUP_PREFIX: undefined }, undefined, 2);
    });

    it("bad retention settings: names the variable, the value and the fix, exit status 2", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: configuration: BACKUP_KEEP_LAST \("0"\) must be a whole number of at least 1, e.g. 7$/, { BACKUP_KEEP_LAST: "0" }, undefined, 2);
      await expectFailedBackup(/^pg-backup: ERROR: configuration: BACKUP_RETENTION_DAYS \("30d"\) must be a whole number of at least 1, e.g. 30$/, { BACKUP_RETENTION_DAYS: "30d" }, undefined, 2);
    });
  });
});

interface S3Operation {
  readonly op: string;
  /** The key id after `--sse aws:kms --sse-kms-key-id`, or null when the call carries no SSE flag. */
  readonly sse: string | null;
}

/** The awscli calls logged by the `aws-logging` tool, named by what they do. */
function s3Operations(logFile: string): S3Operation[] {
  return fs
    .readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const args = line.split(" ");
      const sseAt = args.indexOf("--sse");
      let sse: string | null = null;
      if (sseAt >= 0) {
        expect(args.slice(sseAt, sseAt + 3), `SSE flags in: ${line}`).to.deep.equal(["--sse", "aws:kms", "--sse-kms-key-id"]);
        sse = args[sseAt + 3];
      }
      const [source, target] = args.slice(-2);
      const what = (arg: string) => (arg.endsWith(".manifest.json") ? "manifest" : "dump");
      let op: string;
      if (args.includes("list-objects-v2")) op = "list backups";
      else if (args.includes("head-object")) op = "head";
      else if (args.includes("delete-object")) op = "delete";
      else if (target === "-") op = `read back ${what(source)}`;
      else if (!source.startsWith("s3://")) op = what(target) === "manifest" ? "put manifest" : "upload dump";
      else op = `download ${what(source)}`;
      return { op, sse };
    });
}
