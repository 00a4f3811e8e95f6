import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { loadPackConfig, policyExitCode, runPolicies } from "../../policy/offline";
import { runTempDir } from "../temp-dirs";

/** The committed stack file with every database's backups switched off. */
function withoutBackups(stack: string): string {
  const doc = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  for (const db of doc.config["platform:databases"]) db.backup.enabled = false;
  const file = path.join(runTempDir("platform-policy-"), `Pulumi.${stack}.yaml`);
  fs.writeFileSync(file, stringify(doc));
  return file;
}

describe("policy: a stack without backups", () => {
  it("blocks production (mandatory) and only warns in staging", async () => {
    const production = await runPolicies(await runProgram("production", { stackFile: withoutBackups("production") }), loadPackConfig("production"));
    const blocking = production.violations.filter((v) => v.policy === "stack-backups-and-critical-alerts");
    expect(blocking.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
    expect(blocking[0].message).to.match(/backup/i);
    expect(policyExitCode(production)).to.equal(1);

    const staging = await runPolicies(await runProgram("staging", { stackFile: withoutBackups("staging") }), loadPackConfig("staging"));
    const warned = staging.violations.filter((v) => v.policy === "stack-backups-and-critical-alerts");
    expect(warned.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    expect(policyExitCode(staging)).to.equal(0);
  });
});
