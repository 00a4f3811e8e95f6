import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeSyntheticStack } from "./synthetic-stack";

/**
 * Benchmark (not a test): CPU time (user + system of the command and its children) measured in this one run,
 * the runs of every command alternating, printed as ratios to a floor that no program can beat — Node merely
 * loading the four Pulumi SDKs the program imports, with Node's compile cache as the plan process uses it
 * (the floor without the cache is printed too). CPU time is what other load on a shared machine hardly
 * changes; wall time is printed beside it.
 * Usage: npm run bench [-- --runs N] [--no-suite] [--no-engine] [--no-render]
 */

const root = path.resolve(__dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
const flag = (name: string) => process.argv.includes(name);
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
const APPS = 100;

interface Sample {
  readonly cpu: number;
  readonly wall: number;
}

/** CPU seconds of the children bash waited for (`times`), so helm and tsx's own child count too. */
function measure(command: string, args: string[]): Sample {
  const start = process.hrtime.bigint();
  const result = spawnSync("bash", ["-c", '"$@" >/dev/null || exit $?; times', "bench", command, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    encoding: "utf8",
    // npm scripts put node_modules/.bin first, so tsx runs on the project's Node 22 whoever starts the bench.
    env: { ...process.env, PATH: `${path.join(root, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  // `times` prints the shell's own user/system times, then its children's: "0m5.120s 0m0.430s".
  const children = result.stdout.trim().split("\n").at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (seconds.length !== 2) throw new Error(`cannot read CPU times from ${JSON.stringify(children)}`);
  return { cpu: seconds[0] + seconds[1], wall };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
const renderCache = path.join(scratch, "renders");
const oneApp = path.join(scratch, "Pulumi.production-1-app.yaml");
const manyApps = path.join(scratch, `Pulumi.production-${APPS}-apps.yaml`);
writeSyntheticStack(root, "production", 1, oneApp);
writeSyntheticStack(root, "production", APPS, manyApps);
// `npm run plan`'s command (package.json), without npm in between.
const planScript = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts.plan.split(" ");
if (planScript[0] !== "node") throw new Error(`npm run plan is no longer a node command: ${planScript.join(" ")}; update bench/run.ts`);
// Each plan row writes into a folder of its own, as reruns of a stack do (build/<stack>): after the warm-up
// a plan rewrites only what changed. The row "into an empty folder" writes everything every time.
const plan = (out: string, config?: string): [string, string[]] => [
  bin("node"),
  [...planScript.slice(1), "--stack", "production", "--quiet", "--out", path.join(scratch, out), ...(config ? ["--config", config] : [])],
];
let emptyFolders = 0;

interface Row {
  readonly label: string;
  /** The command, or a function giving each run its own (a new output folder). */
  readonly command: [string, string[]] | (() => [string, string[]]);
  readonly samples: Sample[];
}
const commandOf = (row: Row) => (typeof row.command === "function" ? row.command() : row.command);
const requireSdks = "for (const m of ['pulumi', 'kubernetes', 'aws', 'random']) require('@pulumi/' + m)";
const rows: Row[] = [
  { label: "floor: node requiring the 4 Pulumi SDKs", command: [bin("node"), ["-e", requireSdks]], samples: [] },
  // The plan process uses Node's compile cache (plan/compile-cache.js), which also makes loading the SDKs
  // cheaper: its ratio is taken against this floor, not the one above, so the cache cannot flatter it.
  { label: "floor with Node's compile cache (as the plan)", command: [bin("node"), ["--require", "./plan/compile-cache.js", "-e", requireSdks]], samples: [] },
  { label: "npm run plan -- --stack production", command: plan("production"), samples: [] },
  { label: "plan production with 1 app (synthetic stack)", command: plan("one-app", oneApp), samples: [] },
  { label: `plan production with ${APPS} apps (synthetic stack)`, command: plan("many-apps", manyApps), samples: [] },
  { label: `plan ${APPS} apps into an empty folder`, command: () => plan(`empty-${emptyFolders++}`, manyApps), samples: [] },
  // The same for 1 app: what an added app costs when every file is new, without the whole stack's first write.
  { label: "plan 1 app into an empty folder", command: () => plan(`empty-${emptyFolders++}`, oneApp), samples: [] },
];
// The plan's cost before and after chart rendering (issue #11), the same work as `npm run plan` otherwise:
// off = each Helm release one opaque resource; cold = every chart through `helm template`, nothing cached;
// warm = renders reused from the content-hash cache (a rerun with unchanged charts and values).
if (!flag("--no-render")) {
  rows.push(
    { label: "plan production, charts not rendered (before)", command: [bin("node"), ["--require", "./plan/typescript-require.js", "bench/plan-once.ts", "off", renderCache]], samples: [] },
    { label: "plan production, charts rendered, no cache", command: [bin("node"), ["--require", "./plan/typescript-require.js", "bench/plan-once.ts", "cold", renderCache]], samples: [] },
    { label: "plan production, charts rendered, cached renders", command: [bin("node"), ["--require", "./plan/typescript-require.js", "bench/plan-once.ts", "warm", renderCache]], samples: [] },
  );
}
// Warm-ups: tsx's transpile cache and the render caches then hold what a developer's second plan finds.
for (const row of rows) measure(...commandOf(row));
for (let i = 0; i < runs; i++) for (const row of rows) row.samples.push(measure(...commandOf(row)));

// The suite as `npm test` runs it after the checks (tests/run-suite.js: three lanes at once).
const suite = flag("--no-suite") ? undefined : measure(bin("node"), ["tests/run-suite.js"]);
// The real engine's `pulumi preview` next to the offline plan, over the same Kubernetes part of production
// (both timed inside one process: bench/engine-vs-plan.ts).
const engine = flag("--no-engine") ? undefined : enginePreviewAndPlan("production", runs);

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

const cpu = (row: Row) => median(row.samples.map((s) => s.cpu));
const wall = (row: Row) => median(row.samples.map((s) => s.wall));
const floor = cpu(rows[0]);
const cachedFloor = cpu(rows[1]);
// Ratios are to the floor with the compile cache: every plan row below uses the cache.
const line = (label: string, cpuSeconds: number, wallSeconds: number) =>
  `${label.padEnd(52)}${cpuSeconds.toFixed(2).padStart(7)} s ${(cpuSeconds / cachedFloor).toFixed(2).padStart(6)}x floor ${wallSeconds.toFixed(2).padStart(8)} s`;
console.log(`Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}; median of ${runs} alternating runs (test suite: 1 run)`);
console.log(`${"".padEnd(52)}${"CPU".padStart(9)} ${"(cached floor)".padStart(14)} ${"wall".padStart(6)}`);
for (const row of rows) console.log(line(row.label, cpu(row), wall(row)));
if (suite) console.log(line("test suite (tests/run-suite.js, 1 run)", suite.cpu, suite.wall));
if (engine?.skipped) console.log(`pulumi preview of the Kubernetes part: skipped (${engine.skipped})`);
else if (engine) {
  console.log(`${`pulumi preview, ${engine.stack}'s Kubernetes part (wall, in-process)`.padEnd(52)}${engine.preview.toFixed(2).padStart(7)} s`);
  console.log(`${"offline plan, the same Kubernetes part (wall, in-process)".padEnd(52)}${engine.offline.toFixed(2).padStart(7)} s`);
}
const [, , production, one, many, manyEmpty, oneEmpty] = rows;
console.log(`plan(production) / floor with the compile cache = ${(cpu(production) / cachedFloor).toFixed(2)} (CPU; the plan uses the cache)`);
console.log(`plan(production) / floor without it = ${(cpu(production) / floor).toFixed(2)} (CPU)`);
console.log(`each added app: ${((1000 * (cpu(many) - cpu(one))) / (APPS - 1)).toFixed(0)} ms CPU ((${APPS} apps - 1 app) / ${APPS - 1})`);
console.log(`each added app, ${APPS} apps into an empty folder: ${((1000 * (cpu(manyEmpty) - cpu(one))) / (APPS - 1)).toFixed(0)} ms CPU (against 1 app rerun)`);
console.log(`each added app, both into an empty folder: ${((1000 * (cpu(manyEmpty) - cpu(oneEmpty))) / (APPS - 1)).toFixed(0)} ms CPU ((${APPS} apps - 1 app) / ${APPS - 1})`);
if (!flag("--no-render")) {
  const [off, cold, warm] = rows.slice(7);
  console.log(`rendering (CPU): no cache / before = ${(cpu(cold) / cpu(off)).toFixed(2)}, cached / before = ${(cpu(warm) / cpu(off)).toFixed(2)}`);
}
if (engine && !engine.skipped) {
  console.log(
    `Kubernetes part of ${engine.stack}: pulumi preview (${engine.previewed} to create) / offline plan (${engine.planned} resources) = ${(engine.preview / engine.offline).toFixed(2)}`,
  );
}
fs.rmSync(scratch, { recursive: true, force: true });
