import "./lazy-closure-serialization";
import "./cheap-stack-traces";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { formatViolations, loadPackConfig, policyExitCode, policySummary, resolvePackConfig, runPolicies } from "../policy/offline";
import { policyPackArgs } from "../policy/rules";
import { PLAN_COMPILE_CACHE_DIR, PLAN_TRANSPILE_CACHE_DIR } from "./cache-dir";
import { pruneCompileCache } from "./compile-cache-pruning";
import { pruneTranspileCache } from "./transpile-cache-pruning";
import { diffPlans, formatDiff } from "./diff";
import { withCheckout } from "./git-ref";
import { formatTree, writePlan } from "./render";
import { REPOSITORY_ROOT, runProgram } from "./run-program";
import { StackFileError, stackNameProblem } from "./stack-file";

const USAGE = `usage: npm run plan -- --stack <staging|production> [--config <stack file>] [--diff <git ref>] [--out <dir>] [--quiet]

Runs the program for a stack under Pulumi's mock runtime (no CLI, cluster or cloud credentials), prints
the resource tree, writes build/<stack>/resources.json plus one YAML file per Kubernetes object and per
Helm release, each PrometheusRule's rules as a rule file for promtool (prometheus-rules/) and Alertmanager's
configuration without credentials for amtool (alertmanager/alertmanager.yaml), and applies the policy pack (policy/, with policy/config/<stack>.json): advisories are
listed, any mandatory violation exits 1.
  --config <file>   plan this stack file instead of Pulumi.<stack>.yaml (review a proposed config); a
                    relative path is taken from the folder npm was started in
  --diff <ref>      also plan the stack at a git ref and print added/removed/changed resources
  --out <dir>       output folder (default build/<stack>): a new or empty one, or an earlier plan's, as
                    whatever the plan does not write there is deleted; a relative path is taken from the
                    folder npm was started in
  --quiet           print only the summary line`;

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      stack: { type: "string" },
      config: { type: "string" },
      diff: { type: "string" },
      out: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.stack) {
    console.error(`error: --stack is required\n${USAGE}`);
    return 2;
  }
  const stack = values.stack;
  const badName = stackNameProblem(stack);
  if (badName) {
    console.error(`error: --stack ${badName}\n${USAGE}`);
    return 2;
  }
  // npm runs scripts from the repository root: a relative --config or --out means the folder npm was started in.
  const startedIn = process.env.INIT_CWD ?? process.cwd();
  const stackFile = values.config ? path.resolve(startedIn, values.config) : undefined;
  const outDir = values.out ? path.resolve(startedIn, values.out) : path.join(REPOSITORY_ROOT, "build", stack);

  // A stack without a valid pack config fails here, before anything is planned or written.
  const packConfig = loadPackConfig(stack);
  resolvePackConfig(policyPackArgs, packConfig);

  const before = values.diff ? await withCheckout(REPOSITORY_ROOT, values.diff, (dir) => runProgram(stack, { projectDir: dir, baseline: true })) : undefined;
  const record = await runProgram(stack, { stackFile });
  writePlan(record, outDir);
  // A compile cache moved elsewhere (NODE_COMPILE_CACHE) is its owner's to keep.
  if (!process.env.NODE_COMPILE_CACHE) pruneCompileCache(PLAN_COMPILE_CACHE_DIR);
  pruneTranspileCache(PLAN_TRANSPILE_CACHE_DIR);

  if (!values.quiet) process.stdout.write(formatTree(record));
  if (before) {
    process.stdout.write(`\nChanges against ${values.diff}:\n`);
    for (const note of before.notes ?? []) process.stdout.write(`  note: ${note}\n`);
    process.stdout.write(formatDiff(diffPlans(before, record)));
  }
  // The policy pack, as `pulumi preview --policy-pack policy --policy-pack-config policy/config/<stack>.json`
  // runs it. --quiet stays one line unless something would block the update.
  const policy = await runPolicies(record, packConfig);
  process.stdout.write(formatViolations(policy, values.quiet ? ["mandatory"] : ["mandatory", "advisory"]));
  console.log(`${record.resources.length} resources (stack ${stack}; written to ${path.relative(process.cwd(), outDir) || "."}); ${policySummary(policy)}`);
  return policyExitCode(policy);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    // A stack file's syntax errors read as `<file>:<line>:<col>: <reason>`, one per line.
    const lines = err instanceof StackFileError ? err.problems : [err.message];
    for (const line of lines) console.error(`error: ${line}`);
    process.exit(1);
  },
);
