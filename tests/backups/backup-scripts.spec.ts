import { expect } from "chai";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createOrdersDatabase, fingerprints } from "./fixtures/orders-database";
import { type PgCredentials, PostgresServer } from "./fixtures/postgres";
import { freePort, run, type RunResult } from "./fixtures/process";
import { type Push, PushgatewayRecorder, samples } from "./fixtures/pushgateway";
import { AWS_CLI, S3Server, type StoredObject } from "./fixtures/s3";

const SCRIPTS = path.resolve(__dirname, "../../components/backups/scripts");
const BACKUP_SCRIPT = path.join(SCRIPTS, "pg-backup.sh");
const DRILL_SCRIPT = path.join(SCRIPTS, "pg-restore-drill.sh");
const COMMON_LIBRARY = path.join(SCRIPTS, "pg-common.sh");

const BUCKET = "backups";
const PREFIX = "production/orders";
const DATABASE = "orders";
/** Owns `orders`, as the application's migration role would; pg_dump runs as it. */
const BACKUP_ROLE: PgCredentials = { user: "backup_runner", password: "backup-runner-secret" };
/** Only CREATEDB: the drill restores into a database it creates itself. */
const DRILL_ROLE: PgCredentials = { user: "drill_runner", password: "drill-runner-secret" };
const FINAL_KEY = /^production\/orders\/(\d{4})\/(\d{2})\/(\d{2})\/orders-(\d{4})(\d{2})(\d{2})T\d{6}Z\.dump$/;

describe("backup scripts against PostgreSQL 15 and an S3 API (s3rver)", function () {
  let pg: PostgresServer;
  let s3: S3Server;
  let pushgateway: PushgatewayRecorder;
  let workRoot: string;
  let toolsDir: string;
  let loggingAws: string;

  before(async function () {
    this.timeout(120_000);
    workRoot = fs.mkdtempSync(path.join(os.tmpdir(), "platform-backups-"));
    toolsDir = path.join(workRoot, "tools");
    fs.mkdirSync(toolsDir);
    // A transparent awscli that appends each call's arguments to $AWS_CALL_LOG, one call a line.
    loggingAws = writeTool("aws-logging", `printf '%s\\n' "$*" >> "$AWS_CALL_LOG"\nexec ${AWS_CLI} "$@"\n`);
    // One at a time, so `after` can stop whatever started if a later one fails.
    pg = await PostgresServer.start();
    s3 = await S3Server.start([BUCKET]);
    pushgateway = await PushgatewayRecorder.start();
    await pg.sql("postgres", `CREATE ROLE ${BACKUP_ROLE.user} LOGIN PASSWORD '${BACKUP_ROLE.password}'`);
    await pg.sql("postgres", `CREATE ROLE ${DRILL_ROLE.user} LOGIN CREATEDB PASSWORD '${DRILL_ROLE.password}'`);
    await createOrdersDatabase(pg, DATABASE, BACKUP_ROLE);
  });

  after(async function () {
    this.timeout(60_000);
    await Promise.allSettled([pg?.stop(), s3?.stop(), pushgateway?.stop()]);
    if (workRoot) fs.rmSync(workRoot, { recursive: true, force: true });
  });

  // --- helpers ----------------------------------------------------------------------------------

  interface ScriptRun {
    readonly result: RunResult;
    /** What the script left in its SCRATCH_DIR; it should clean up after itself. */
    readonly scratchLeft: string[];
  }

  /** Runs a script with an explicit environment; `undefined` in `overrides` removes a variable. */
  async function runScript(
    script: string,
    env: Record<string, string>,
    overrides: Record<string, string | undefined>,
    wrap: (script: string) => [string, string[]] = (s) => [s, []],
  ): Promise<ScriptRun> {
    const scratch = fs.mkdtempSync(path.join(workRoot, "scratch-"));
    const merged: NodeJS.ProcessEnv = {
      PATH: "/usr/bin:/bin",
      LANG: "C.UTF-8",
      AWS_CLI,
      SCRATCH_DIR: scratch,
      ...s3.awsEnv(),
      BACKUP_BUCKET: BUCKET,
      BACKUP_PREFIX: PREFIX,
      ...env,
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete merged[name];
      else merged[name] = value;
    }
    const [command, args] = wrap(script);
    const result = await run(command, args, { env: merged, timeoutMs: 100_000 });
    const scratchLeft = fs.readdirSync(scratch);
    fs.rmSync(scratch, { recursive: true, force: true });
    return { result, scratchLeft };
  }

  const runBackup = (overrides: Record<string, string | undefined> = {}, wrap?: (script: string) => [string, string[]]) =>
    runScript(BACKUP_SCRIPT, pg.libpqEnv(BACKUP_ROLE, DATABASE), overrides, wrap);

  const runDrill = (overrides: Record<string, string | undefined> = {}) =>
    runScript(DRILL_SCRIPT, { ...pg.libpqEnv(DRILL_ROLE, "postgres"), DRILL_TABLES: "public.customers,public.orders,blobs.attachments" }, overrides);

  /** The script's `<tool>: ERROR: ` lines: a failure must print exactly one. */
  function errorLines(result: RunResult, tool: string): string[] {
    return result.stderr.split("\n").filter((line) => line.startsWith(`${tool}: ERROR: `));
  }

  function expectFailure(result: RunResult, tool: string, message: RegExp, status = 1): void {
    expect(result.status, `exit status; stderr:\n${result.stderr}`).to.equal(status);
    const errors = errorLines(result, tool);
    expect(errors, `one ERROR line; stderr:\n${result.stderr}`).to.have.length(1);
    expect(errors[0], "the ERROR line").to.match(message);
  }

  function writeTool(name: string, body: string): string {
    const file = path.join(toolsDir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `#!/bin/bash\n${body}`, { mode: 0o755 });
    return file;
  }

  function sha256(file: string): string {
    return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
  }

  async function scratchDatabases(): Promise<string> {
    return pg.sql("postgres", "SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE 'restore\\_drill\\_%'");
  }

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
      pushgateway.reset();
      const awsCalls = path.join(workRoot, "baseline-aws-calls.log");
      const backup = await runBackup({ PUSHGATEWAY_URL: pushgateway.url, AWS_CLI: loggingAws, AWS_CALL_LOG: awsCalls });
      return { ...backup, objects: await s3.list(BUCKET), pushes: [...pushgateway.pushes], awsCalls: s3Operations(awsCalls) };
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
        "check_backup_prefix", "config_error", "database_label_path", "die", "first_error", "install_traps",
        "log", "push_metrics", "report_failure", "require", "s3cli",
      ]);
    });

    for (const [script, tool] of [[BACKUP_SCRIPT, "pg-backup"], [DRILL_SCRIPT, "pg-restore-drill"]] as const) {
      it(`${path.basename(script)} without pg-common.sh beside it fails with one ERROR line, exit status 2`, async () => {
        const alone = fs.mkdtempSync(path.join(workRoot, "alone-"));
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
    it("round trip: stores one verified dump and its manifest, and the dump restores to identical data", async function () {
      this.timeout(180_000);
      const { result, scratchLeft, objects, pushes, awsCalls } = await baseline();
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(errorLines(result, "pg-backup"), "no ERROR line").to.deep.equal([]);
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      // Verified before publishing, the manifest last, then the temporary key removed; and with
      // BACKUP_KMS_KEY_ID unset, no SSE flag at all.
      expect(awsCalls, "S3 operations in order").to.deep.equal([
        { op: "upload to .incoming/", sse: null },
        { op: "download .incoming/", sse: null },
        { op: "list final key", sse: null },
        { op: "copy .incoming/ to final", sse: null },
        { op: "put manifest", sse: null },
        { op: "delete .incoming/", sse: null },
      ]);

      // Exactly the dump and its manifest; nothing under .incoming/.
      expect(objects, "objects in the bucket").to.have.length(2);
      const [dump, manifestObject] = objects;
      const match = FINAL_KEY.exec(dump.key);
      expect(match, `final key ${dump.key}`).to.not.equal(null);
      const [, year, month, day, stampYear, stampMonth, stampDay] = match!;
      expect(`${year}${month}${day}`, "date folders agree with the timestamp").to.equal(`${stampYear}${stampMonth}${stampDay}`);
      expect(manifestObject.key).to.equal(`${dump.key}.manifest.json`);

      const local = path.join(workRoot, "roundtrip.dump");
      const manifestFile = path.join(workRoot, "roundtrip.manifest.json");
      await s3.download(BUCKET, dump.key, local);
      await s3.download(BUCKET, manifestObject.key, manifestFile);
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
      const stamp = /(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.dump$/.exec(dump.key)!;
      expect(manifest.timestamp, "timestamp = the key's").to.equal(`${stamp[1]}-${stamp[2]}-${stamp[3]}T${stamp[4]}:${stamp[5]}:${stamp[6]}Z`);

      // Restore into a fresh database and compare every table and sequence with the source.
      await pg.sql("postgres", "CREATE DATABASE roundtrip_copy");
      await pg.restore("roundtrip_copy", local);
      const source = await fingerprints(pg, DATABASE);
      expect(Object.keys(source), "tables compared").to.include.members(["public.customers", "public.orders", "blobs.attachments", "public.audit_log"]);
      expect(await fingerprints(pg, "roundtrip_copy"), "restored contents").to.deep.equal(source);
      expect(await pg.sql("roundtrip_copy", "SELECT note FROM public.customers WHERE name = '山田太郎'"), "non-ASCII text").to.equal("🐘 elephant");

      // One push-add of the three success metrics, and no failure metric.
      expect(pushes.map((p) => `${p.method} ${p.path}`), "pushes").to.deep.equal(["POST /metrics/job/pg_backup/database/orders"]);
      const pushed = samples(pushes[0].body);
      expect([...pushed.keys()].sort()).to.deep.equal(["pg_backup_duration_seconds", "pg_backup_last_success_timestamp_seconds", "pg_backup_size_bytes"]);
      expect(pushed.get("pg_backup_size_bytes")).to.equal(manifest.size_bytes);
      expect(pushed.get("pg_backup_duration_seconds")).to.equal(manifest.duration_seconds);
      expect(pushed.get("pg_backup_last_success_timestamp_seconds")).to.be.within(Date.now() / 1000 - 600, Date.now() / 1000 + 5);
    });
  });

  describe("pg-backup.sh encryption flags", () => {
    // S3rver accepts and ignores SSE headers, so the calls are checked where the script makes them.
    it("with BACKUP_KMS_KEY_ID set, every write asks for aws:kms with that key, and nothing else does", async () => {
      const kmsKey = "arn:aws:kms:eu-central-1:111122223333:key/0b5c7c1e-2f4a-4d1b-9c8e-1a2b3c4d5e6f";
      const awsCalls = path.join(workRoot, "kms-aws-calls.log");
      const { result } = await runBackup({ BACKUP_PREFIX: "kms-check/orders", BACKUP_KMS_KEY_ID: kmsKey, AWS_CLI: loggingAws, AWS_CALL_LOG: awsCalls });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(s3Operations(awsCalls), "S3 operations in order").to.deep.equal([
        { op: "upload to .incoming/", sse: kmsKey },
        { op: "download .incoming/", sse: null },
        { op: "list final key", sse: null },
        { op: "copy .incoming/ to final", sse: kmsKey },
        { op: "put manifest", sse: kmsKey },
        { op: "delete .incoming/", sse: null },
      ]);
    });
  });

  describe("pg-restore-drill.sh", () => {
    it("restores the newest backup into a scratch database, checks the tables, and drops it", async () => {
      const key = await baselineKey();
      const before = await s3.list(BUCKET);
      pushgateway.reset();
      const { result, scratchLeft } = await runDrill({ PUSHGATEWAY_URL: pushgateway.url });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr).to.include(`pg-restore-drill: newest backup: s3://${BUCKET}/${key}\n`);
      expect(result.stderr).to.match(/pg-restore-drill: creating scratch database restore_drill_\d{14} /);
      expect(result.stderr).to.include("pg-restore-drill: public.orders: 5000 rows\n");
      expect(result.stderr).to.include("pg-restore-drill: blobs.attachments: 64 rows\n");
      expect(await scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(await s3.list(BUCKET), "the drill only reads").to.deep.equal(before);
      // The same `database` label as pg-backup.sh's metrics: the prefix is <stack>/<database>.
      expect(pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_restore_drill/database/orders"]);
      expect([...samples(pushgateway.pushes[0].body).keys()].sort()).to.deep.equal(["pg_restore_drill_duration_seconds", "pg_restore_drill_last_success_timestamp_seconds"]);
    });

    it("fails on an empty table, names it, still drops the scratch database, and pushes only the failure metric", async () => {
      await baselineKey();
      pushgateway.reset();
      const { result, scratchLeft } = await runDrill({ DRILL_TABLES: "public.customers,public.audit_log", PUSHGATEWAY_URL: pushgateway.url });
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: row check failed: public\.audit_log has 0 rows \(need >= 1\)$/);
      expect(result.stderr, "the scratch database was created").to.match(/creating scratch database restore_drill_\d{14}/);
      expect(await scratchDatabases(), "scratch databases left").to.equal("");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_restore_drill/database/orders"]);
      expect([...samples(pushgateway.pushes[0].body).keys()], "a failure must not touch the success gauges").to.deep.equal(["pg_restore_drill_last_failure_timestamp_seconds"]);
    });

    it("fails on a missing table and on too few rows, names both, and still drops the scratch database", async () => {
      await baselineKey();
      const { result } = await runDrill({ DRILL_TABLES: "public.customers, public.missing", DRILL_MIN_ROWS: "6" });
      expectFailure(
        result,
        "pg-restore-drill",
        /^pg-restore-drill: ERROR: row check failed: public\.customers has 5 rows \(need >= 6\); public\.missing does not exist in the restored database$/,
      );
      expect(await scratchDatabases(), "scratch databases left").to.equal("");
    });

    let baselineFiles: Promise<{ dump: string; manifest: string }> | undefined;
    /** The baseline backup's dump and manifest, downloaded once. */
    function baselineCopy(): Promise<{ dump: string; manifest: string }> {
      baselineFiles ??= (async () => {
        const key = await baselineKey();
        const files = { dump: path.join(workRoot, "baseline.dump"), manifest: path.join(workRoot, "baseline.manifest.json") };
        await s3.download(BUCKET, key, files.dump);
        await s3.download(BUCKET, `${key}.manifest.json`, files.manifest);
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
      const file = path.join(workRoot, "seed.dump");
      const manifestFile = path.join(workRoot, "seed.manifest.json");
      if (options.garbage) fs.writeFileSync(file, "not a pg_dump archive\n");
      else fs.copyFileSync(source.dump, file);
      const manifest = { ...JSON.parse(fs.readFileSync(source.manifest, "utf8")), key, sha256: sha256(file), size_bytes: fs.statSync(file).size };
      options.edit?.(file);
      await s3.upload(file, BUCKET, key);
      if (options.withManifest ?? true) {
        fs.writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
        await s3.upload(manifestFile, BUCKET, `${key}.manifest.json`);
      }
    }

    it("picks the greatest key that has a manifest, skipping older backups and unfinished dumps", async () => {
      const prefix = "drill-selection/orders";
      await seedBackup(`${prefix}/2026/03/01/orders-20260301T020000Z.dump`, { garbage: true }); // older, and would not restore
      await seedBackup(`${prefix}/2026/03/02/orders-20260302T020000Z.dump`); // the newest complete backup
      await seedBackup(`${prefix}/2026/03/03/orders-20260303T020000Z.dump`, { garbage: true, withManifest: false }); // unfinished
      const { result } = await runDrill({ BACKUP_PREFIX: prefix });
      expect(result.status, `stderr:\n${result.stderr}`).to.equal(0);
      expect(result.stderr).to.include(`skipping s3://${BUCKET}/${prefix}/2026/03/03/orders-20260303T020000Z.dump: it has no manifest`);
      expect(result.stderr).to.include(`newest backup: s3://${BUCKET}/${prefix}/2026/03/02/orders-20260302T020000Z.dump\n`);
      expect(await scratchDatabases(), "scratch databases left").to.equal("");
    });

    it("refuses a backup whose bytes do not match its manifest, before creating a database", async () => {
      const prefix = "drill-tampered/orders";
      const key = `${prefix}/2026/03/02/orders-20260302T020000Z.dump`;
      await seedBackup(key, { edit: (file) => flipBytes(file, 500_000) });
      const { result, scratchLeft } = await runDrill({ BACKUP_PREFIX: prefix });
      expectFailure(result, "pg-restore-drill", new RegExp(`^pg-restore-drill: ERROR: checksum mismatch: s3://${BUCKET}/${regexpEscape(key)} has sha256 [0-9a-f]{64} \\(\\d+ bytes\\), its manifest says [0-9a-f]{64} \\(\\d+ bytes\\)$`));
      expect(result.stderr).to.not.include("creating scratch database");
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
    });

    it("fails clearly when there is no backup", async () => {
      const { result } = await runDrill({ BACKUP_PREFIX: "nothing-here/orders" });
      expectFailure(result, "pg-restore-drill", /^pg-restore-drill: ERROR: no backup found under s3:\/\/backups\/nothing-here\/orders\/ /);
    });
  });

  describe("pg-backup.sh faults: non-zero exit, one clear message, the bucket untouched", () => {
    /**
     * Runs a failing backup and checks what every failure must leave behind: the earlier backup
     * still there with the same ETag (its MD5) and size, no new final key, no .incoming/ leftover.
     * The whole listing is compared, so any write shows.
     */
    async function expectFailedBackup(
      message: RegExp,
      overrides: Record<string, string | undefined>,
      wrap?: (script: string) => [string, string[]],
      status = 1,
    ): Promise<RunResult> {
      const key = await baselineKey();
      const before = await s3.list(BUCKET);
      expect(before.map((o) => o.key), "the earlier backup is there").to.include.members([key, `${key}.manifest.json`]);
      const { result, scratchLeft } = await runBackup(overrides, wrap);
      expectFailure(result, "pg-backup", message, status);
      expect(await s3.list(BUCKET), "objects after the failed run").to.deep.equal(before);
      expect(scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      return result;
    }

    it("database unreachable (nothing listens on PGPORT), and pushes only the failure metric", async () => {
      const closedPort = await freePort();
      pushgateway.reset();
      await expectFailedBackup(
        new RegExp(`^pg-backup: ERROR: pg_dump failed: connection to server at "127\\.0\\.0\\.1", port ${closedPort} failed: Connection refused$`),
        { PGPORT: String(closedPort), PUSHGATEWAY_URL: pushgateway.url },
      );
      expect(pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_backup/database/orders"]);
      expect([...samples(pushgateway.pushes[0].body).keys()], "a failure must not touch the success gauges").to.deep.equal(["pg_backup_last_failure_timestamp_seconds"]);
    });

    it("wrong database password", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: pg_dump failed: .*password authentication failed for user "backup_runner"$/, { PGPASSWORD: "wrong" });
    });

    it("S3 unreachable (nothing listens on the endpoint)", async function () {
      this.timeout(180_000);
      const closedPort = await freePort();
      await expectFailedBackup(/^pg-backup: ERROR: upload failed: Could not connect to the endpoint URL: "http:\/\/127\.0\.0\.1:\d+\//, {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}`,
      });
    });

    // S3rver checks the access key id (InvalidAccessKeyId, 403) but not SigV4 signatures, so a
    // wrong secret would be accepted. An unknown key id is what AWS also answers for a deleted or
    // rotated key.
    it("S3 access denied (an access key id S3 does not know)", async () => {
      await expectFailedBackup(/^pg-backup: ERROR: upload failed: An error occurred \(InvalidAccessKeyId\) when calling the PutObject operation/, {
        AWS_ACCESS_KEY_ID: "AKIAREVOKEDKEY000000",
      });
    });

    // A pg_dump that exits 0 after writing a broken file stands for silent corruption (a bug, a
    // broken volume). The script must not trust the exit status alone: the verification catches it
    // after the upload, and the temporary object must then be deleted.
    it("corrupt dump: pg_restore --list rejects it", async () => {
      writeTool("corrupt/pg_dump", `for a in "$@"; do case $a in --file=*) head -c 4096 /dev/urandom > "\${a#--file=}";; esac; done\n`);
      const result = await expectFailedBackup(
        /^pg-backup: ERROR: verification failed: pg_restore --list rejected the uploaded dump: input file does not appear to be a valid archive/,
        { PATH: `${path.join(toolsDir, "corrupt")}:/usr/bin:/bin` },
      );
      expect(result.stderr, "the upload happened, so there was something to clean").to.match(/deleting temporary object s3:\/\/backups\/production\/orders\/\.incoming\/\d{8}T\d{6}Z-[0-9a-f]{8}\.dump/);
    });

    // Truncated after the table of contents: `pg_restore --list` reads only that and accepts the
    // file, so this proves the full read that follows it.
    it("truncated dump: the full read catches what --list does not", async () => {
      writeTool(
        "truncated/pg_dump",
        `/usr/bin/pg_dump "$@" || exit\nfor a in "$@"; do case $a in --file=*) f=\${a#--file=}; truncate -s $(( $(stat -c %s "$f") / 2 )) "$f";; esac; done\n`,
      );
      await expectFailedBackup(
        /^pg-backup: ERROR: verification failed: pg_restore could not read the uploaded dump's data: could not read from input file: end of file$/,
        { PATH: `${path.join(toolsDir, "truncated")}:/usr/bin:/bin` },
      );
    });

    // An awscli whose downloads arrive with flipped bytes, as a faulty network path or disk would.
    it("checksum mismatch between the local dump and what S3 returns", async () => {
      const aws = writeTool(
        "aws-corrupting-downloads",
        `${AWS_CLI} "$@" || exit\nlast=\${!#}; before=\${*: -2:1}\nif [[ $before == s3://* && $last != s3://* && $last != - ]]; then printf 'XXXX' | dd of="$last" bs=1 seek=300000 conv=notrunc status=none; fi\n`,
      );
      await expectFailedBackup(
        /^pg-backup: ERROR: checksum mismatch: s3:\/\/backups\/production\/orders\/\.incoming\/\S+ has sha256 [0-9a-f]{64} \(\d+ bytes\), the local dump had [0-9a-f]{64} \(\d+ bytes\)$/,
        { AWS_CLI: aws },
      );
    });

    // RLIMIT_FSIZE caps what may be written, so the real pg_dump fails mid-dump on a write the
    // kernel refuses, as it would on a full emptyDir. A small tmpfs would give ENOSPC instead of
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
  });
});

function flipBytes(file: string, offset: number): void {
  const fd = fs.openSync(file, "r+");
  try {
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, offset);
    byte[0] ^= 0xff;
    fs.writeSync(fd, byte, 0, 1, offset);
  } finally {
    fs.closeSync(fd);
  }
}

function regexpEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

interface S3Operation {
  readonly op: string;
  /** The key id after `--sse aws:kms --sse-kms-key-id`, or null when the call carries no SSE flag. */
  readonly sse: string | null;
}

/** The awscli calls logged by the `aws-logging` tool, named by what they do to which key. */
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
      const where = (arg: string) => (arg.includes("/.incoming/") ? ".incoming/" : "final");
      let op: string;
      if (args.includes("list-objects-v2")) op = "list final key";
      else if (args.includes("rm")) op = `delete ${where(target)}`;
      else if (source === "-") op = target.endsWith(".manifest.json") ? "put manifest" : `put ${target}`;
      else if (!source.startsWith("s3://")) op = `upload to ${where(target)}`;
      else if (!target.startsWith("s3://")) op = `download ${where(source)}`;
      else op = `copy ${where(source)} to ${where(target)}`;
      return { op, sse };
    });
}
