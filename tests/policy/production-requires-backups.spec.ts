import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { recorder } from "../../plan/mocks";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { loadPackConfig, policyExitCode, runPolicies } from "../../policy/offline";
import { programFailure } from "../harness";
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
  it("blocks under production's pack config (mandatory) and only warns under staging's", async () => {
    // Production's own stack file is refused at config time before the policy could see it (below), so the
    // policy is shown on staging's plan under each pack config.
    const record = await runProgram("staging", { stackFile: withoutBackups("staging") });
    const production = await runPolicies(record, loadPackConfig("production"));
    const blocking = production.violations.filter((v) => v.policy === "stack-backups-and-critical-alerts");
    expect(blocking.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
    expect(blocking[0].message).to.match(/backup/i);
    expect(policyExitCode(production)).to.equal(1);

    const staging = await runPolicies(record, loadPackConfig("staging"));
    const warned = staging.violations.filter((v) => v.policy === "stack-backups-and-critical-alerts");
    expect(warned.map((v) => v.enforcementLevel)).to.deep.equal(["advisory"]);
    expect(policyExitCode(staging)).to.equal(0);
  });

  it("production's stack file without backups is refused at config time, before any resource", async () => {
    const error = await programFailure("production", { stackFile: withoutBackups("production") });
    expect(error.message).to.equal(
      'Invalid configuration for stack "production" (1 problem):\n' +
        "  - databases: production must back up at least one database (backup.enabled: true); the policy stack-backups-and-critical-alerts blocks a production stack without a backup CronJob",
    );
    expect(recorder.list()).to.deep.equal([]);
  });
});
