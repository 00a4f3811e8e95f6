import { expect } from "chai";
import { ESLint } from "eslint";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";

const FIXTURE = "tests/structure/fixtures/output-in-template.ts";

describe("lint (@pulumi/eslint-plugin, eslint.config.mjs)", function () {
  // Type-aware rules: the parser builds the repository's TypeScript program first.
  this.timeout(180_000);

  it("npm test runs the lint and the type check (at once, tests/run-checks.js) before mocha", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.lint).to.equal("eslint .");
    // Whatever runs the suite after them (mocha, or a runner of lanes), the checks come first and gate it.
    expect(scripts.test).to.match(/^node tests\/run-checks\.js && \S/);
    expect(fs.readFileSync(path.join(REPOSITORY_ROOT, "tests", "run-checks.js"), "utf8")).to.contain('const CHECKS = ["typecheck", "lint"];');
    // Incremental on the command line only: tsconfig.lib.json extends tsconfig.json, and a build info file
    // there would let `npm run build` skip emitting into the dist/ it has just removed.
    expect(scripts.typecheck).to.equal("tsc -p . --incremental --tsBuildInfoFile .cache/typecheck.tsbuildinfo");
    const compilerOptions = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> }).compilerOptions;
    expect(compilerOptions).to.not.have.any.keys("incremental", "composite", "tsBuildInfoFile");
  });

  it("flags a pulumi.Output inside a plain template literal, and not inside pulumi.interpolate", async () => {
    // ignore: false, since the configuration leaves this deliberately wrong fixture out of `npm run lint`.
    const eslint = new ESLint({ cwd: REPOSITORY_ROOT, ignore: false });
    const [result] = await eslint.lintFiles([FIXTURE]);
    const found = result.messages.map((m) => `${m.line}: ${m.ruleId}: ${m.message}`);
    expect(found).to.deep.equal([
      "7: @pulumi/no-output-in-template-literal: pulumi.Output<T> not permitted in template literals.",
      "8: @pulumi/no-output-in-template-literal: pulumi.Output<T> not permitted in template literals.",
    ]);
  });

  it("leaves the fixture out of `npm run lint`, and nothing else of the repository", async () => {
    const eslint = new ESLint({ cwd: REPOSITORY_ROOT });
    expect(await eslint.isPathIgnored(FIXTURE)).to.equal(true);
    for (const file of ["index.ts", "components/apps/blue-green-app.ts", "tests/harness.ts", "plan/cli.ts", "policy/index.ts"]) {
      expect(await eslint.isPathIgnored(file), file).to.equal(false);
    }
  });
});
