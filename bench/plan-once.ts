import "../plan/lazy-closure-serialization";
import "../plan/cheap-stack-traces";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadPackConfig, runPolicies } from "../policy/offline";
import { writePlan } from "../plan/render";
import { runProgram } from "../plan/run-program";

/**
 * One production plan as `npm run plan` does it (program, record, files, policy pack), with chart rendering
 * switched for the benchmark: `off` records each release as one resource (the plan before issue #11),
 * `cold` renders every chart through helm with no cache, `warm` reuses the content-hash cache.
 * Usage (bench/run.ts): node --require ./plan/typescript-require.js bench/plan-once.ts off|cold|warm <cache dir>
 */
async function main(mode: string, cacheDir: string): Promise<void> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-plan-"));
  const record = await runProgram("production", {
    renderCharts: mode !== "off",
    renderCache: mode === "cold" ? false : cacheDir,
  });
  writePlan(record, out);
  const report = await runPolicies(record, loadPackConfig("production"));
  fs.rmSync(out, { recursive: true, force: true });
  if (report.mandatory > 0) throw new Error(`${report.mandatory} mandatory violations`);
  console.log(record.resources.length);
}

main(process.argv[2], process.argv[3]).catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
