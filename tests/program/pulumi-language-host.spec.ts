import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";

/**
 * `pulumi up` runs index.ts through ts-node, which the Node language host resolves from the project and
 * otherwise replaces with a vendored ts-node 7.0.1 that cannot compile this code base. These tests pin the
 * resolution and compile the program the way the host does (type-checking included).
 */
describe("the Pulumi Node language host's TypeScript path", () => {
  it("finds the project's ts-node 10 and TypeScript 5.9, not the vendored fallbacks", () => {
    const tsutils = require("@pulumi/pulumi/tsutils") as { typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string } };
    expect(tsutils.typeScriptRequireStrings()).to.deep.equal({ tsnodeRequire: "ts-node", typescriptRequire: "typescript" });
    expect((require("ts-node") as { VERSION: string }).VERSION).to.match(/^10\./);
    expect((require("typescript") as { version: string }).version).to.match(/^5\.9\./);
  });

  it("type-checks and runs index.ts under ts-node up to the config loader", () => {
    // Without the engine there is no stack configuration: reaching the loader's report proves the whole
    // program compiled with type-checking on and started.
    const result = spawnSync(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "node"), ["-r", "ts-node/register", "-e", "require('./index.ts')"], {
      cwd: REPOSITORY_ROOT,
      encoding: "utf8",
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
    });
    expect(result.stderr).to.not.match(/TSError|error TS\d+/);
    expect(result.stderr).to.match(/Invalid configuration for stack "stack" \(\d+ problems\):\n {2}- environment: is required but not set/);
  });
});
