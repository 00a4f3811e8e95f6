import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

// What the plan process loads. plan/lazy-closure-serialization.ts gives the SDK's runtime/index.js stand-ins
// for its closure serialization, and components/core/aws.ts loads only the aws namespaces the components
// use: together about half of what loading the SDKs cost the plan. Were the SDK to read other names from
// those modules, or a component to import @pulumi/aws whole again, the plan would silently pay again. This
// runs the production program in a fresh plan process (the stand-ins must not leak into the test process)
// and looks at what it loaded, then serialises a function there to show the stand-ins hand the call on.

const root = path.resolve(__dirname, "..", "..");

const PROBE = `
const { LAZY_CLOSURE_MODULES } = require("./plan/lazy-closure-serialization");
require("./plan/cheap-stack-traces");
const pulumi = require("@pulumi/pulumi");
const { runProgram } = require("./plan/run-program");
const loaded = (pattern) => Object.keys(require.cache).some((file) => pattern.test(file));
const modules = () => ({
  typescript: loaded(/node_modules\\/typescript\\//),
  arborist: loaded(/node_modules\\/@npmcli\\/arborist\\//),
  serializeClosure: loaded(/@pulumi\\/pulumi\\/runtime\\/closure\\/serializeClosure\\.js$/),
  awsIndex: loaded(/node_modules\\/@pulumi\\/aws\\/index\\.js$/),
  awsS3: loaded(/node_modules\\/@pulumi\\/aws\\/s3\\/index\\.js$/),
});
runProgram("production", { renderCharts: false }).then(async (record) => {
  const afterPlan = modules();
  const serialized = await pulumi.runtime.serializeFunction(() => 6 * 7);
  const paths = await pulumi.runtime.computeCodePaths({ extraIncludePaths: [], extraExcludePackages: [] }).then((m) => m.size, (e) => e.message);
  console.log(JSON.stringify({ standIns: LAZY_CLOSURE_MODULES, resources: record.resources.length, afterPlan, afterSerializing: modules(), serialized: serialized.text, paths }));
});
`;

interface Modules {
  typescript: boolean;
  arborist: boolean;
  serializeClosure: boolean;
  awsIndex: boolean;
  awsS3: boolean;
}

describe("plan: what the plan process loads of the SDKs", () => {
  let result: { standIns: Record<string, string[]>; resources: number; afterPlan: Modules; afterSerializing: Modules; serialized: string; paths: number | string };
  before(() => {
    const node = path.join(root, "node_modules", ".bin", "node");
    const run = spawnSync(node, ["--require", "./plan/typescript-require.js", "-e", PROBE], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(run.status, run.stderr).to.equal(0);
    result = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
  });

  it("plans production without loading the closure serialization or the whole aws SDK", () => {
    expect(result.resources).to.be.greaterThan(100);
    expect(result.afterPlan).to.deep.equal({ typescript: false, arborist: false, serializeClosure: false, awsIndex: false, awsS3: true });
  });

  it("loads the real closure serialization on its first call, which then works as ever", () => {
    expect(result.afterSerializing).to.include({ typescript: true, arborist: true, serializeClosure: true });
    expect(result.serialized).to.contain("6 * 7");
    expect(result.paths).to.be.a("number");
  });

  it("stands in exactly for what the SDK's runtime/index.js reads from those modules", () => {
    const source = fs.readFileSync(require.resolve("@pulumi/pulumi/runtime/index.js"), "utf8");
    const reads: Record<string, string[]> = {};
    for (const [, binding, request] of source.matchAll(/var (\w+) = require\("(\.\/closure\/[^"]+)"\)/g)) {
      reads[request] = [...new Set([...source.matchAll(new RegExp(`${binding}\\.(\\w+)`, "g"))].map((m) => m[1]))].sort();
    }
    expect(reads).to.deep.equal(Object.fromEntries(Object.entries(result.standIns).map(([request, names]) => [request, [...names].sort()])));
  });
});
