#!/usr/bin/env node
// The whole suite in two mocha processes at once (what `npm test` runs after the type-check), with the options
// of .mocharc.json. Nothing is shared between the two processes, and everything that is process-wide stays
// inside one of them:
// - the services lane holds every spec file that uses a server shared by the run (sharedMinio, sharedPostgres
//   and the backup lab that uses both, sharedApiServer's kube-apiserver with etcd, the engine's stacks against
//   it), so each shared server starts once per run and its root `after` hook stops it once, also when tests
//   failed. Files that start servers of their own (Prometheus and Alertmanager end to end, Jaeger) and stop
//   them themselves run in the other lane, which balances the two;
// - within a process files run one after another, so the Pulumi mock runtime (the last setMocks wins) is never
//   used by two files at the same time.
// Each lane's output is printed whole when it ends, then one summary line in the form CI reads.
// Usage: node tests/run-suite.js [--lanes] (prints which file runs where, runs nothing)
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const config = JSON.parse(fs.readFileSync(path.join(root, ".mocharc.json"), "utf8"));

/** The fixtures of servers shared by the whole run: a spec file naming one runs in the services lane. */
const SHARED_SERVERS = /\b(?:BackupLab|sharedMinio|sharedPostgres|sharedApiServer|EngineStack)\b/;

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
const usesSharedServer = (file) => SHARED_SERVERS.test(fs.readFileSync(path.join(root, file), "utf8"));
const lanes = [
  { name: "services", files: files.filter(usesSharedServer) },
  { name: "the rest", files: files.filter((f) => !usesSharedServer(f)) },
];

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

const children = new Set();
function runLane(lane) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(path.join(root, "node_modules", ".bin", "mocha"), [...mochaArgs, ...lane.files], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: process.stdout.isTTY ? "1" : "0" },
    });
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

// Interrupted (Ctrl-C, a CI timeout): pass the signal on, so each mocha runs its root hooks and stops its servers.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}

const started = Date.now();
Promise.all(lanes.map(runLane)).then((results) => {
  const totals = [0, 0, 0];
  for (const { counts } of results) counts?.forEach((n, i) => (totals[i] += n));
  const broken = results.filter((r) => !r.counts).map((r) => `${r.lane.name} lane ended without a summary (exit ${r.code}${r.signal ? `, ${r.signal}` : ""})`);
  for (const line of broken) console.log(`run-suite: ${line}`);
  console.log(`\nsuite: ${((Date.now() - started) / 1000).toFixed(1)} s wall in ${results.length} lanes`);
  // One closing line in the form CI reads, over both lanes; a lane that crashed counts as a failure.
  console.log(`mocha: ${totals[0]} passed, ${totals[1] + broken.length} failed, ${totals[2]} skipped`);
  process.exit(results.some((r) => r.code !== 0) ? 1 : 0);
});
