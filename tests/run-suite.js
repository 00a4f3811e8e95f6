#!/usr/bin/env node
// The whole suite in three mocha processes at once (what `npm test` runs after the checks), with the options of
// .mocharc.json. Nothing is shared between the processes, and everything that is process-wide stays inside one:
// - a lane per server shared by the run: every spec file that uses the backup lab's MinIO and PostgreSQL
//   (BackupLab, sharedMinio, sharedPostgres) runs in the backup lane, every one that uses sharedApiServer's
//   kube-apiserver with etcd (or the engine's stacks against it) in the cluster lane. So each shared server
//   starts once per run and its root `after` hook stops it once, also when tests failed, and the two groups,
//   which share nothing, run beside each other. Files that start servers of their own (Prometheus and
//   Alertmanager end to end, Jaeger) and stop them themselves run in the third lane with everything else.
//   Measured (SUITE_TIMING=1), the cluster lane and the rest cost about the same CPU, the backup lane less; a
//   file using both kinds of shared server would need both in one lane, and this script refuses it until then;
// - within a process files run one after another, so the Pulumi mock runtime (the last setMocks wins) is never
//   used by two files at the same time.
// Each lane's output is printed whole when it ends, then one summary line in the form CI reads.
// Every mocha process requires plan/cheap-stack-traces.ts (.mocharc.json) as the plan's command line does: Pulumi
// then stops formatting a stack trace for each promise and resource it makes, which under the mock runtime was
// about half the CPU of planning; source maps stay on (node option enable-source-maps), so a failing test's
// stack still points into the TypeScript.
// Usage: node tests/run-suite.js [--lanes] (prints which file runs where, runs nothing)
// SUITE_TIMING=1 node tests/run-suite.js: also prints what each spec file cost (wall and CPU seconds, from
// tests/file-timing.js), each lane's totals and the load average. As root, each lane runs in a cpuacct cgroup of
// its own, so its CPU includes servers that daemonize; without one, those are left out (the report says so).
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const config = JSON.parse(fs.readFileSync(path.join(root, ".mocharc.json"), "utf8"));

/** The fixtures of servers shared by the whole run, by lane: a spec file naming one runs in that lane. */
const SHARED_SERVERS = {
  backups: /\b(?:BackupLab|sharedMinio|sharedPostgres)\b/,
  cluster: /\b(?:sharedApiServer|EngineStack)\b/,
};

function specFiles(dir) {
  return fs
    .readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? specFiles(`${dir}/${entry.name}`) : entry.name.endsWith(".spec.ts") ? [`${dir}/${entry.name}`] : []))
    .sort();
}

if (JSON.stringify(config.spec) !== JSON.stringify(["tests/**/*.spec.ts"])) {
  throw new Error(`tests/run-suite.js finds tests/**/*.spec.ts; .mocharc.json now lists ${JSON.stringify(config.spec)}: update both`);
}
const files = specFiles("tests");
const laneOf = (file) => {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const servers = Object.keys(SHARED_SERVERS).filter((name) => SHARED_SERVERS[name].test(text));
  if (servers.length > 1) throw new Error(`${file} uses the shared servers of the ${servers.join(" and ")} lanes: tests/run-suite.js must run those lanes as one`);
  return servers[0] ?? "the rest";
};
const lanes = [...Object.keys(SHARED_SERVERS), "the rest"].map((name) => ({ name, files: files.filter((f) => laneOf(f) === name) }));

if (process.argv.includes("--lanes")) {
  for (const lane of lanes) console.log(`${lane.name}:\n${lane.files.map((f) => `  ${f}`).join("\n")}`);
  process.exit(0);
}

const mochaArgs = [
  "--no-config",
  ...config.require.flatMap((r) => ["--require", r]),
  ...config.extension.flatMap((e) => ["--extension", e]),
  "--timeout", String(config.timeout),
  ...(config.forbidOnly ? ["--forbid-only"] : []),
  "--reporter", config.reporter,
];

const timing = process.env.SUITE_TIMING === "1";
const CPUACCT = "/sys/fs/cgroup/cpuacct";

/** A new cpuacct cgroup for a lane, or undefined where none can be made (not root, no cgroup v1 cpuacct). */
function laneCgroup(index) {
  try {
    const dir = path.join(CPUACCT, `platform-suite-${process.pid}-${index}`);
    fs.mkdirSync(dir);
    return dir;
  } catch {
    return undefined;
  }
}

// .mocharc.json's node options go to the lane's own node, not through mocha's `--node-option`: that would fork a
// second process, which does not pass SIGTERM on, so a CI timeout would leave the lane's servers running.
const bundledNode = path.join(root, "node_modules", ".bin", "node");
const NODE = [
  fs.existsSync(bundledNode) ? bundledNode : process.execPath,
  ...(config["node-option"] ?? []).map((o) => `--${o}`),
  path.join(root, "node_modules", "mocha", "bin", "mocha.js"),
];

const children = new Set();
function runLane(lane, index) {
  const started = Date.now();
  // Disjoint port slices: a port one lane checked as free is never handed to another (tests/processes.ts freePort).
  const env = { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0", TEST_PORT_SLICE: `${index}/${lanes.length}` };
  let command = [...NODE, ...mochaArgs, ...lane.files];
  if (timing) {
    lane.timingFile = path.join(os.tmpdir(), `platform-suite-timing-${process.pid}-${index}.json`);
    lane.cgroup = laneCgroup(index);
    env.SUITE_TIMING_FILE = lane.timingFile;
    // The shell joins the cgroup, then becomes mocha: everything the lane starts is counted from its first instruction.
    if (lane.cgroup) {
      env.SUITE_TIMING_CGROUP = lane.cgroup;
      command = ["/bin/sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', lane.cgroup, ...command];
    }
  }
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
    children.add(child);
    const output = [];
    child.stdout.on("data", (d) => output.push(d));
    child.stderr.on("data", (d) => output.push(d));
    child.on("close", (code, signal) => {
      children.delete(child);
      const text = Buffer.concat(output).toString("utf8");
      const summary = /^mocha: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(text);
      process.stdout.write(`\n===== ${lane.name} (${lane.files.length} files, ${((Date.now() - started) / 1000).toFixed(1)} s) =====\n${text}`);
      resolve({ lane, code: code ?? 1, signal, counts: summary ? summary.slice(1).map(Number) : undefined });
    });
  });
}

// Interrupted (Ctrl-C, a CI timeout): pass the signal on, so each lane exits through its fixtures' exit handlers,
// which stop its servers and remove its folders (tests/interrupted.js).
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}

/** The timing report: every spec file by CPU seconds, then each lane's totals (SUITE_TIMING=1). */
function timingReport(results, startLoad) {
  const seconds = (n) => n.toFixed(1).padStart(7);
  const rows = [];
  const totals = [];
  for (const { lane } of results) {
    const laneRows = fs.existsSync(lane.timingFile) ? JSON.parse(fs.readFileSync(lane.timingFile, "utf8")) : [];
    fs.rmSync(lane.timingFile, { force: true });
    for (const row of laneRows) (row.file === "(lane total)" ? totals : rows).push({ lane: lane.name, ...row });
    if (lane.cgroup) {
      const [user, system] = fs.readFileSync(`${lane.cgroup}/cpuacct.stat`, "utf8").match(/\d+/g).map((n) => Number(n) / 100);
      const left = fs.readFileSync(`${lane.cgroup}/cgroup.procs`, "utf8").split("\n").filter(Boolean);
      for (const pid of left) {
        let commandLine = "(gone)";
        try {
          commandLine = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
        } catch {}
        console.log(`run-suite: the ${lane.name} lane left process ${pid} running: ${commandLine}`);
      }
      console.log(`run-suite: ${lane.name} lane cgroup: ${user.toFixed(1)} s user, ${system.toFixed(1)} s system`);
      if (left.length === 0) fs.rmdirSync(lane.cgroup);
    }
  }
  rows.sort((a, b) => b.cpu - a.cpu);
  console.log(`\ncost of each spec file (CPU = user+system seconds of everything the lane ran meanwhile${results.every((r) => r.lane.cgroup) ? "" : "; no cgroup: servers that daemonize not counted"}; self = the mocha process)`);
  console.log(`${"CPU".padStart(7)} ${"wall".padStart(7)} ${"self".padStart(7)}  lane      file`);
  for (const r of rows) console.log(`${seconds(r.cpu)} ${seconds(r.wall)} ${seconds(r.self)}  ${r.lane.padEnd(9)} ${r.file}`);
  for (const t of totals) console.log(`${seconds(t.cpu)} ${seconds(t.wall)} ${seconds(t.self)}  ${t.lane.padEnd(9)} (lane total)`);
  const cpu = totals.reduce((sum, t) => sum + t.cpu, 0);
  console.log(`suite CPU: ${cpu.toFixed(1)} s over ${totals.length} lanes (an idle 2-CPU machine needs at least ${(cpu / 2).toFixed(1)} s wall)`);
  console.log(`load average at the start ${startLoad.map((l) => l.toFixed(2)).join(" ")}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
}

const started = Date.now();
const startLoad = os.loadavg();
Promise.all(lanes.map(runLane)).then((results) => {
  if (timing) timingReport(results, startLoad);
  const totals = [0, 0, 0];
  for (const { counts } of results) counts?.forEach((n, i) => (totals[i] += n));
  const broken = results.filter((r) => !r.counts).map((r) => `${r.lane.name} lane ended without a summary (exit ${r.code}${r.signal ? `, ${r.signal}` : ""})`);
  for (const line of broken) console.log(`run-suite: ${line}`);
  console.log(`\nsuite: ${((Date.now() - started) / 1000).toFixed(1)} s wall in ${results.length} lanes`);
  // One closing line in the form CI reads, over both lanes; a lane that crashed counts as a failure.
  console.log(`mocha: ${totals[0]} passed, ${totals[1] + broken.length} failed, ${totals[2]} skipped`);
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
});
