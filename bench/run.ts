import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Benchmark (not a test): wall times measured in this one run, printed as ratios to a floor that no
 * program can beat — Node merely loading the four Pulumi SDKs the program imports.
 * Usage: npm run bench [-- --runs N] [--no-suite] [--no-engine]
 */

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function wallSeconds(command: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  return seconds;
}

function median(command: string, args: string[], n: number): number {
  const samples = Array.from({ length: n }, () => wallSeconds(command, args)).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
const renderCache = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-renders-"));
const floor = median(bin("node"), ["-e", "for (const m of ['pulumi', 'kubernetes', 'aws', 'random']) require('@pulumi/' + m)"], runs);
// The plan's cost before and after chart rendering (issue #11), the same work as `npm run plan` otherwise:
// off = each Helm release one opaque resource; cold = every chart through `helm template`, nothing cached;
// warm = renders reused from the content-hash cache (a rerun with unchanged charts and values).
const unrendered = median(bin("tsx"), ["bench/plan-once.ts", "off", renderCache], runs);
const cold = median(bin("tsx"), ["bench/plan-once.ts", "cold", renderCache], runs);
wallSeconds(bin("tsx"), ["bench/plan-once.ts", "warm", renderCache]); // fills the cache
const warm = median(bin("tsx"), ["bench/plan-once.ts", "warm", renderCache], runs);
const plan = median(bin("tsx"), ["plan/cli.ts", "--stack", "production", "--quiet", "--out", out], runs);
const suite = process.argv.includes("--no-suite") ? undefined : wallSeconds(bin("mocha"), []);
// The real engine's `pulumi preview` next to the offline plan, over the same Kubernetes part of production
// (both timed inside one process: bench/engine-vs-plan.ts).
const engine = process.argv.includes("--no-engine") ? undefined : enginePreviewAndPlan("production", runs);

interface EngineVersusPlan {
  readonly skipped?: string;
  readonly stack: string;
  readonly planned: number;
  readonly previewed: number;
  readonly offline: number;
  readonly preview: number;
}

function enginePreviewAndPlan(stack: string, n: number): EngineVersusPlan {
  const result = spawnSync(bin("tsx"), ["bench/engine-vs-plan.ts", stack, String(n)], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (result.status !== 0) throw new Error(`bench/engine-vs-plan.ts failed:\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as EngineVersusPlan;
}

const row = (label: string, seconds: number) => `${label.padEnd(52)}${seconds.toFixed(2).padStart(7)} s ${(seconds / floor).toFixed(2).padStart(7)}x floor`;
console.log(`Node ${process.version}, ${os.cpus().length} CPUs, median of ${runs} runs (test suite: 1 run)`);
console.log(row("floor: node requiring the 4 Pulumi SDKs", floor));
console.log(row("plan production, charts not rendered (before)", unrendered));
console.log(row("plan production, charts rendered, no cache", cold));
console.log(row("plan production, charts rendered, cached renders", warm));
console.log(row("npm run plan -- --stack production", plan));
if (suite !== undefined) console.log(row("test suite (mocha, transpile-only)", suite));
if (engine?.skipped) console.log(`pulumi preview of the Kubernetes part: skipped (${engine.skipped})`);
else if (engine) {
  console.log(row(`pulumi preview, ${engine.stack}'s Kubernetes part`, engine.preview));
  console.log(row("offline plan, the same Kubernetes part", engine.offline));
}
console.log(`plan(production) / floor = ${(plan / floor).toFixed(2)}`);
console.log(`rendering: no cache / before = ${(cold / unrendered).toFixed(2)}, cached / before = ${(warm / unrendered).toFixed(2)}`);
if (engine && !engine.skipped) {
  console.log(
    `Kubernetes part of ${engine.stack}: pulumi preview (${engine.previewed} to create) / offline plan (${engine.planned} resources) = ${(engine.preview / engine.offline).toFixed(2)}`,
  );
}
fs.rmSync(out, { recursive: true, force: true });
fs.rmSync(renderCache, { recursive: true, force: true });
