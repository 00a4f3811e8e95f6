import { expect } from "chai";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { TERMINATION_GRACE_PERIOD_SECONDS } from "../../components/backups";
import { AWS_CLI } from "./fixtures/minio";
import { BACKUP_SCRIPT, BackupLab, DATABASE, DRILL_SCRIPT, errorLines, expectFailure, FINAL_KEY, type RunningScript, type ScriptRun, sha256 } from "./fixtures/backup-lab";
import { samples } from "./fixtures/pushgateway";
import { SlowLink } from "./fixtures/tcp-links";

/** Polls `check` every 100 ms until it holds; fails with `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What the kubelet does to an evicted pod: TERM to the container's first process (the script, not its
 * children), then KILL to everything once the grace period the CronJob sets has passed. Resolves with the run.
 */
async function evict(script: RunningScript): Promise<ScriptRun> {
  process.kill(script.pid, "SIGTERM");
  const kill = setTimeout(() => process.kill(-script.pid, "SIGKILL"), TERMINATION_GRACE_PERIOD_SECONDS * 1000);
  try {
    return await script.done;
  } finally {
    clearTimeout(kill);
  }
}

describe("backup runs that are interrupted or race each other (PostgreSQL 15, MinIO)", function () {
  this.timeout(300_000);
  let lab: BackupLab;

  before(async function () {
    lab = await BackupLab.start();
  });

  after(async function () {
    await lab?.stop();
  });

  describe("SIGTERM, as a pod eviction sends it", () => {
    /** What an interrupted run must leave: nothing in the bucket, no open upload, no local files, one ERROR line, the failure metric. */
    async function expectCleanInterruption(run: ScriptRun, step: string, versionsBefore: unknown[]): Promise<void> {
      expect(run.result.signal, `the script exited by itself within the grace period, not by the kubelet's KILL; stderr:\n${run.result.stderr}`).to.equal(null);
      expectFailure(run.result, "pg-backup", new RegExp(`^pg-backup: ERROR: interrupted by SIGTERM during ${step}$`));
      expect(await lab.minio.versions(lab.bucket), "objects and versions").to.deep.equal(versionsBefore);
      expect(await lab.minio.openUploads(lab.bucket), `open multipart uploads; stderr:\n${run.result.stderr}`).to.deep.equal([]);
      expect(run.scratchLeft, "files left in SCRATCH_DIR").to.deep.equal([]);
      expect(run.tmpLeft, "files left in TMPDIR").to.deep.equal([]);
      expect(lab.pushgateway.pushes.map((p) => `${p.method} ${p.path}`)).to.deep.equal(["POST /metrics/job/pg_backup/database/orders"]);
      expect([...samples(lab.pushgateway.pushes[0].body).keys()], "the failure metric, alone").to.deep.equal(["pg_backup_last_failure_timestamp_seconds"]);
      // Only the script's own lines: no complaint of bash's ("<script>: line N: wait_for: No record of process …"),
      // no job notice ("[1]+ Killed …").
      expect(run.result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("pg-backup: ")), "other lines").to.deep.equal([]);
    }

    it("during pg_dump: pg_dump's query is cancelled, the run fails with its ERROR line and failure metric", async () => {
      // An open transaction holding an exclusive lock keeps the real pg_dump waiting inside the server.
      const holder = spawn("/usr/bin/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1"], {
        env: { PATH: "/usr/bin:/bin", ...lab.pg.libpqEnv({ user: "postgres", password: "fixture-superuser-secret" }, DATABASE) },
        stdio: ["pipe", "ignore", "ignore"],
      });
      try {
        holder.stdin.write("BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE;\n");
        const waitingDumps = () => lab.pg.sql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump' AND wait_event_type = 'Lock'");
        const held = "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'orders' AND l.mode = 'AccessExclusiveLock' AND l.granted";
        await until("the table lock to be held", async () => (await lab.pg.sql(DATABASE, held)) === "1");
        const versionsBefore = await lab.minio.versions(lab.bucket);
        lab.pushgateway.reset();
        const script = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { PUSHGATEWAY_URL: lab.pushgateway.url });
        await until("pg_dump to wait for the table lock", async () => (await waitingDumps()) === "1");
        const run = await evict(script);
        await expectCleanInterruption(run, "pg_dump", versionsBefore);
        expect(await waitingDumps(), "pg_dump's session is gone from the server").to.equal("0");
      } finally {
        holder.stdin.end("ROLLBACK;\n");
      }
    });

    it("during the upload: awscli aborts its multipart upload, nothing is stored, the run fails with its ERROR line and failure metric", async () => {
      // A slow uplink keeps the upload in flight; a low multipart threshold makes it a multipart upload, as
      // every real dump above 8 MiB is.
      const link = await SlowLink.start({ host: "127.0.0.1", port: Number(new URL(lab.minio.endpoint).port) }, 100 * 1024);
      const awsConfig = path.join(lab.workRoot, "aws-multipart-config");
      fs.writeFileSync(awsConfig, "[default]\ns3 =\n  multipart_threshold = 1MB\n  multipart_chunksize = 5MB\n");
      try {
        const versionsBefore = await lab.minio.versions(lab.bucket);
        lab.pushgateway.reset();
        // On a loaded machine awscli's cancel and abort can outlast the step's default 10 s stop budget (then
        // the step is killed and the log says so, next test); this test is about the abort, so the budget is
        // 30 s, which with the clean-up's bound still fits the grace period.
        const script = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { PUSHGATEWAY_URL: lab.pushgateway.url, AWS_ENDPOINT_URL: link.endpoint, AWS_CONFIG_FILE: awsConfig, STEP_STOP_SECONDS: "30" });
        await until("the upload to start", () => script.stderr().includes("pg-backup: uploading to "));
        const started = link.forwarded;
        await until("300 KiB of the dump to be on the wire", () => link.forwarded - started > 300 * 1024);
        expect(await lab.minio.openUploads(lab.bucket), "a multipart upload is in flight").to.have.length(1);
        const run = await evict(script);
        await expectCleanInterruption(run, "upload", versionsBefore);
      } finally {
        await link.stop();
      }
    });

    // The step here is a function with children of its own (the download piped into openssl, the listing
    // beside it); it stops at once. The watchdog that stop_step forks in the TERM trap was ended with TERM
    // and, more often than not, ran the script's EXIT trap itself: a stray bash line, the clean-up begun twice.
    it("during the verification download: the read-back and the listing are stopped, the uploaded dump deleted, nothing else printed", async () => {
      const reached = path.join(lab.workRoot, "read-back-reached");
      const aws = lab.writeTool("aws-slow-read-back", `if [[ \${!#} == - ]]; then touch ${JSON.stringify(reached)}; exec sleep 600; fi\nexec ${AWS_CLI} "$@"\n`);
      for (const attempt of [1, 2, 3]) {
        fs.rmSync(reached, { force: true });
        const objectsBefore = await lab.minio.list(lab.bucket);
        lab.pushgateway.reset();
        const script = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { PUSHGATEWAY_URL: lab.pushgateway.url, AWS_CLI: aws });
        await until(`the read-back (attempt ${attempt})`, () => fs.existsSync(reached));
        const run = await evict(script);
        expect(run.result.stderr, "the dump it had uploaded").to.match(/pg-backup: deleting unconfirmed object s3:\/\/\S+\.dump\n/);
        // Its locked version stays, hidden behind a delete marker: nothing current is added.
        expect(await lab.minio.list(lab.bucket), "current objects").to.deep.equal(objectsBefore);
        await expectCleanInterruption(run, "verification download", await lab.minio.versions(lab.bucket));
      }
    });

    it("a step that ignores INT: it is killed once STEP_STOP_SECONDS have passed, the log says so, and the run still fails cleanly", async () => {
      const started = path.join(lab.workRoot, "stubborn-dump-started");
      const shim = lab.writeTool("stubborn/pg_dump", `trap '' INT\ntouch ${JSON.stringify(started)}\nexec sleep 600\n`);
      const versionsBefore = await lab.minio.versions(lab.bucket);
      lab.pushgateway.reset();
      const script = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { PUSHGATEWAY_URL: lab.pushgateway.url, PATH: `${path.dirname(shim)}:/usr/bin:/bin`, STEP_STOP_SECONDS: "1" });
      await until("the stubborn pg_dump to run", () => fs.existsSync(started));
      const run = await evict(script);
      expect(run.result.stderr).to.include("pg-backup: the pg_dump step did not stop within 1 s of INT and was killed\n");
      await expectCleanInterruption(run, "pg_dump", versionsBefore);
    });

    it("during the drill's pg_restore: the step is stopped, the scratch database dropped, and the drill fails with its ERROR line and failure metric", async () => {
      const backup = await lab.runBackup();
      expect(backup.result.status, backup.result.stderr).to.equal(0);
      // pg_restore restores, then lingers as a slow restore would: the step to stop is its whole process group.
      const shim = lab.writeTool("slow-restore/pg_restore", '/usr/bin/pg_restore "$@" || exit\nexec sleep 600\n');
      lab.pushgateway.reset();
      const script = lab.start(DRILL_SCRIPT, lab.drillEnv(), { PUSHGATEWAY_URL: lab.pushgateway.url, PATH: `${path.dirname(shim)}:/usr/bin:/bin` });
      await until("pg_restore to run", async () => script.stderr().includes("restoring into restore_drill_") && (await lab.scratchDatabases()) !== "");
      const run = await evict(script);
      expect(run.result.signal, `exited within the grace period; stderr:\n${run.result.stderr}`).to.equal(null);
      expectFailure(run.result, "pg-restore-drill", /^pg-restore-drill: ERROR: interrupted by SIGTERM during pg_restore$/);
      expect(run.result.stderr).to.match(/dropping scratch database restore_drill_\d{14}_[0-9a-f]{8}\n/);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
      expect(run.scratchLeft).to.deep.equal([]);
      expect(run.tmpLeft).to.deep.equal([]);
      expect([...samples(lab.pushgateway.pushes[0].body).keys()], "the failure metric, alone").to.deep.equal(["pg_restore_drill_last_failure_timestamp_seconds"]);
    });
  });

  describe("two runs of the same database at once (a manual Job beside the scheduled one)", () => {
    /** `date -u +%s` answers a fixed time, so both runs stamp their keys with the same second. */
    function sameSecond(): Record<string, string> {
      const shim = lab.writeTool("same-second/date", 'if [[ "$*" == "-u +%s" ]]; then echo "$FAKE_EPOCH"; else exec /usr/bin/date "$@"; fi\n');
      return { PATH: `${path.dirname(shim)}:/usr/bin:/bin`, FAKE_EPOCH: String(Math.floor(Date.now() / 1000)) };
    }

    /** Both runs' dumps under `prefix`: each with its own manifest, which names it and matches its bytes. */
    async function expectTwoConsistentBackups(prefix: string, runs: ScriptRun[]): Promise<string[]> {
      for (const run of runs) {
        expect(run.result.status, run.result.stderr).to.equal(0);
        expect(errorLines(run.result, "pg-backup")).to.deep.equal([]);
      }
      const keys = (await lab.minio.list(lab.bucket, `${prefix}/`)).map((o) => o.key);
      const dumps = keys.filter((k) => k.endsWith(".dump"));
      expect(dumps, "two backups").to.have.length(2);
      expect(keys.filter((k) => k.endsWith(".manifest.json")).sort()).to.deep.equal(dumps.map((d) => `${d}.manifest.json`).sort());
      const stamps = new Set(dumps.map((d) => /-(\d{8}T\d{6}Z)-[0-9a-f]{8}\.dump$/.exec(d)?.[1]));
      expect(stamps.size, "both in the same second").to.equal(1);
      for (const dump of dumps) {
        const file = path.join(lab.workRoot, "concurrent.dump");
        const manifestFile = path.join(lab.workRoot, "concurrent.manifest.json");
        await lab.minio.download(lab.bucket, dump, file);
        await lab.minio.download(lab.bucket, `${dump}.manifest.json`, manifestFile);
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
        expect([manifest.key, manifest.sha256, manifest.size_bytes], `${dump}: its manifest describes it`).to.deep.equal([dump, sha256(file), fs.statSync(file).size]);
      }
      // Each run logged its own key, and the keys differ.
      const logged = runs.map((r) => /pg-backup: done: s3:\/\/[^/]+\/(\S+) /.exec(r.result.stderr)?.[1]);
      expect([...logged].sort()).to.deep.equal([...dumps].sort());
      return dumps;
    }

    it("started in the same second: both exit 0 and each stores its own backup", async () => {
      const prefix = "production/same-second";
      const env = { ...sameSecond(), BACKUP_PREFIX: prefix };
      const runs = await Promise.all([lab.start(BACKUP_SCRIPT, lab.backupEnv(), env).done, lab.start(BACKUP_SCRIPT, lab.backupEnv(), env).done]);
      for (const dump of await expectTwoConsistentBackups(prefix, runs)) expect(dump.replace(prefix, "production/orders")).to.match(FINAL_KEY);
    });

    it("in the worst order (A uploads, B uploads, B writes its manifest, A writes its manifest): two consistent backups, and the newest restores", async () => {
      const prefix = "production/worst-order";
      const gates = fs.mkdtempSync(path.join(lab.workRoot, "gates-"));
      // Each run's awscli waits for the other run's step named in WAIT_BEFORE_<op>, then marks its own step done.
      const aws = lab.writeTool(
        "aws-gated",
        [
          "last=${!#}; op=other",
          'if [[ " $* " == *" s3 cp "* && $last == s3://*.dump && ${*: -2:1} != s3://* ]]; then op=upload; fi',
          'if [[ " $* " == *" s3 cp "* && $last == s3://*.manifest.json ]]; then op=manifest; fi',
          'wait_for="WAIT_BEFORE_${op^^}"',
          'if [[ -n ${!wait_for:-} ]]; then while [[ ! -e $GATES/${!wait_for} ]]; do sleep 0.05; done; fi',
          `${AWS_CLI} "$@"; status=$?`,
          'if [[ $op != other ]]; then touch "$GATES/$RUN-$op"; fi',
          "exit $status",
          "",
        ].join("\n"),
      );
      const common = { ...sameSecond(), BACKUP_PREFIX: prefix, AWS_CLI: aws, GATES: gates };
      const a = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { ...common, RUN: "A", WAIT_BEFORE_MANIFEST: "B-manifest" });
      const b = lab.start(BACKUP_SCRIPT, lab.backupEnv(), { ...common, RUN: "B", WAIT_BEFORE_UPLOAD: "A-upload" });
      const runs = await Promise.all([a.done, b.done]);
      // The order happened as forced: B's manifest before A's.
      expect(fs.statSync(path.join(gates, "B-manifest")).mtimeMs).to.be.at.most(fs.statSync(path.join(gates, "A-manifest")).mtimeMs);
      expect(fs.statSync(path.join(gates, "A-upload")).mtimeMs).to.be.at.most(fs.statSync(path.join(gates, "B-upload")).mtimeMs);
      const dumps = await expectTwoConsistentBackups(prefix, runs);
      const drill = await lab.runDrill({ BACKUP_PREFIX: prefix });
      expect(drill.result.status, drill.result.stderr).to.equal(0);
      expect(drill.result.stderr).to.include(`newest backup: s3://${lab.bucket}/${[...dumps].sort().pop()}\n`);
    });
  });

  describe("two restore drills on one server in the same second (run by hand beside the scheduled one)", () => {
    it("each restores into its own scratch database: neither drops the other's, both pass", async () => {
      const backup = await lab.runBackup();
      expect(backup.result.status, backup.result.stderr).to.equal(0);
      // Every clock reading the drill makes for its scratch database's name answers the same second.
      const shim = lab.writeTool("drill-same-second/date", 'if [[ "$*" == "-u +%Y%m%d%H%M%S" ]]; then echo 20261122020000; else exec /usr/bin/date "$@"; fi\n');
      const env = { PATH: `${path.dirname(shim)}:/usr/bin:/bin` };
      const runs = await Promise.all([lab.start(DRILL_SCRIPT, lab.drillEnv(), env).done, lab.start(DRILL_SCRIPT, lab.drillEnv(), env).done]);
      const created = runs.map((run) => {
        expect(run.result.status, run.result.stderr).to.equal(0);
        expect(errorLines(run.result, "pg-restore-drill")).to.deep.equal([]);
        return /creating scratch database (\S+) /.exec(run.result.stderr)?.[1];
      });
      for (const name of created) expect(name).to.match(/^restore_drill_20261122020000_[0-9a-f]{8}$/);
      expect(created[0], "two databases").to.not.equal(created[1]);
      expect(await lab.scratchDatabases(), "scratch databases left").to.equal("");
    });
  });
});
