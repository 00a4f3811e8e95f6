import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { objectLockConfiguration, objectLockMode, SCRIPTS_DIR } from "../components/backups";
import { jobPolicyForMinio } from "../tests/backups/fixtures/job-policy";
import { AWS_CLI, MinioServer } from "../tests/backups/fixtures/minio";
import { PostgresServer } from "../tests/backups/fixtures/postgres";
import { runOk } from "../tests/processes";

/**
 * Benchmark (not a test): the full verified backup (pg-backup.sh: dump, checksum, table of contents, upload,
 * read-back with checksum and full pg_restore read, manifest, retention) of a generated database of about
 * --size-mb megabytes, against a bare `pg_dump -Fc > /dev/null` of the same database, both on this machine in
 * one run. PostgreSQL 15 and MinIO run on loopback, as in the tests; the backup runs as the job's MinIO user
 * into an Object-Locked bucket. No SSE-KMS: in AWS the encryption happens on S3's side, while MinIO would
 * spend this machine's CPU on it. The two alternate, --runs times each (default 3), so load from elsewhere on the
 * machine weighs on both alike. Printed: wall-clock time (median and fastest run) and CPU time of everything the
 * operation ran (the command's process tree, PostgreSQL's server processes, MinIO), which other load on a shared
 * machine hardly changes. Usage: npm run bench:backup [-- --size-mb 1024 --runs 3]
 */

const sizeArg = process.argv.indexOf("--size-mb");
const sizeMb = sizeArg > 0 ? Number(process.argv[sizeArg + 1]) : 1024;
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const DATABASE = "bench";
const BUCKET = "bench-backups";
const ROLE = { user: "bench_backup", password: "bench-backup-secret" };
const LONG = 3_600_000;

/** utime + stime + cutime + cstime of a process, in seconds (reaped children included). */
function processCpu(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0) / 100;
}

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Runs `script` (a bash command line, its $0 = `arg`) and measures its wall time and the CPU time of it and the servers. */
async function measure(script: string, arg: string, env: NodeJS.ProcessEnv, servers: readonly number[]): Promise<Sample> {
  const timesFile = path.join(os.tmpdir(), `platform-bench-times-${process.pid}`);
  const before = servers.map(processCpu);
  const start = process.hrtime.bigint();
  // `times` prints the shell's own and its children's CPU time; the second line is everything the command ran.
  await runOk("/bin/bash", ["-c", `${script}; status=$?; times > "$1"; exit $status`, arg, timesFile], { env, timeoutMs: LONG });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const [user, system] = fs.readFileSync(timesFile, "utf8").split("\n")[1].split(" ").map((t) => {
    const [m, sec] = t.replace(/s$/, "").split("m");
    return Number(m) * 60 + Number(sec);
  });
  fs.rmSync(timesFile);
  const serverCpu = servers.map((pid, i) => processCpu(pid) - before[i]).reduce((a, b) => a + b, 0);
  return { wall, cpu: user + system + serverCpu };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const pg = await PostgresServer.start();
  const minio = await MinioServer.start();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-scratch-"));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-tmp-"));
  try {
    await minio.createBucket(BUCKET, objectLockConfiguration(objectLockMode("production"), 30));
    const job = await minio.createUser("bench-job", jobPolicyForMinio(BUCKET));
    await pg.sql("postgres", `CREATE ROLE ${ROLE.user} LOGIN PASSWORD '${ROLE.password}'`);
    await pg.sql("postgres", `CREATE DATABASE ${DATABASE} OWNER ${ROLE.user}`);
    // ~256 bytes per row of poorly compressible text, so the dump is not just zeros.
    const rows = Math.round((sizeMb * 1024 * 1024) / 256);
    const generate = await seconds(() =>
      pg.sql(
        DATABASE,
        `CREATE TABLE events AS SELECT g AS id, now() - g * interval '1 second' AS at,
           md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text) || md5((g * 31)::text) ||
           md5((g * 61)::text) || md5((g * 97)::text) || md5((g * 127)::text) AS payload
         FROM generate_series(1, ${rows}) g;
         ALTER TABLE events OWNER TO ${ROLE.user};`,
      ),
    );
    const bytes = Number(await pg.sql(DATABASE, "SELECT pg_database_size(current_database())"));
    const env = { PATH: "/usr/bin:/bin", LANG: "C.UTF-8", ...pg.libpqEnv(ROLE, DATABASE) };

    const servers = [pg.serverPid(), minio.pid];
    const backupEnv = {
      ...env,
      ...minio.awsEnv(job),
      AWS_CLI,
      SCRATCH_DIR: scratch,
      TMPDIR: tmp,
      BACKUP_BUCKET: BUCKET,
      BACKUP_PREFIX: `production/${DATABASE}`,
      BACKUP_RETENTION_DAYS: "30",
      BACKUP_KEEP_LAST: "7",
    };
    const bareRuns: Sample[] = [];
    const fullRuns: Sample[] = [];
    for (let i = 0; i < runs; i++) {
      bareRuns.push(await measure('pg_dump --format=custom --no-password > /dev/null; : "$0"', "-", env, servers));
      fullRuns.push(await measure('"$0"', path.join(SCRIPTS_DIR, "pg-backup.sh"), backupEnv, servers));
    }
    const stored = (await minio.list(BUCKET)).find((o) => o.key.endsWith(".dump"));
    const row = (samples: Sample[]) => {
      const walls = samples.map((s) => s.wall);
      return { median: median(walls), fastest: Math.min(...walls), cpu: median(samples.map((s) => s.cpu)), runs: walls.map((w) => w.toFixed(1)).join(", ") };
    };
    const [bare, full] = [row(bareRuns), row(fullRuns)];
    const line = (name: string, r: ReturnType<typeof row>) =>
      `${name.padEnd(34)} ${r.median.toFixed(1).padStart(6)} s ${r.fastest.toFixed(1).padStart(7)} s ${r.cpu.toFixed(1).padStart(7)} s   ${r.runs}`;
    console.log(`database ${(bytes / 2 ** 20).toFixed(0)} MiB (${rows} rows, generated in ${generate.toFixed(1)} s); dump ${((stored?.size ?? 0) / 2 ** 20).toFixed(0)} MiB; ${runs} alternating runs each`);
    console.log(`${"".padEnd(34)} wall (median, fastest)  CPU (median)   wall of each run (s)`);
    console.log(line("bare pg_dump -Fc > /dev/null", bare));
    console.log(line("pg-backup.sh (verified, to MinIO)", full));
    console.log(
      `pg-backup.sh / bare pg_dump -Fc = ${(full.median / bare.median).toFixed(2)} (wall, medians), ${(full.fastest / bare.fastest).toFixed(2)} (wall, fastest runs), ${(full.cpu / bare.cpu).toFixed(2)} (CPU)`,
    );
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
    await minio.stop();
    await pg.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
