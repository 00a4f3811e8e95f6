import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Benchmark (not a test): wall times measured in this one run, printed as ratios to a floor that no
 * program can beat — Node merely loading the four Pulumi SDKs the program imports.
 * Usage: npm run bench [-- --runs N]
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
const floor = median(bin("node"), ["-e", "for (const m of ['pulumi', 'kubernetes', 'aws', 'random']) require('@pulumi/' + m)"], runs);
const plan = median(bin("tsx"), ["plan/cli.ts", "--stack", "production", "--quiet", "--out", out], runs);
const suite = wallSeconds(bin("mocha"), []);

const row = (label: string, seconds: number) => `${label.padEnd(44)}${seconds.toFixed(2).padStart(7)} s ${(seconds / floor).toFixed(2).padStart(7)}x floor`;
console.log(`Node ${process.version}, ${os.cpus().length} CPUs, median of ${runs} runs (test suite: 1 run)`);
console.log(row("floor: node requiring the 4 Pulumi SDKs", floor));
console.log(row("npm run plan -- --stack production", plan));
console.log(row("test suite (mocha, transpile-only)", suite));
console.log(`plan(production) / floor = ${(plan / floor).toFixed(2)}`);
fs.rmSync(out, { recursive: true, force: true });
