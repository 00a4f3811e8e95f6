import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { recorder, useMockStack } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { readStackConfig } from "../../plan/stack-file";
import { configSecretPredicate, readRawStackConfig } from "../../stacks/load";
import { SECRET_KEYS } from "../../stacks/schema";
import { editedStackFile, programFailure, STACKS } from "../harness";
import { runTempDir } from "../temp-dirs";

const project = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { secret?: boolean }> };

describe("secrets never leak", () => {
  it("Pulumi.yaml declares every secret key of the platform and of both stacks `secret: true`, so the CLI refuses plain text too", () => {
    const used = new Set<string>(SECRET_KEYS);
    for (const stack of STACKS) {
      for (const key of readStackConfig(REPOSITORY_ROOT, stack).secretKeys) used.add(key.replace(/^platform:/, ""));
    }
    expect([...used].sort()).to.deep.equal(["apiDatabaseUrl", "heartbeatUrl", "pagerdutyRoutingKey", "redisSessionsPassword", "sentryDsn", "slackWebhookUrl", "smtpPassword"]);
    for (const key of used) expect(project.config[key]?.secret, `Pulumi.yaml: ${key}`).to.equal(true);
  });

  it("both stacks store every declared secret encrypted (the CLI requires each declared key in every stack)", () => {
    const declared = Object.entries(project.config).filter(([, d]) => d.secret).map(([k]) => `platform:${k}`).sort();
    for (const stack of STACKS) expect(readStackConfig(REPOSITORY_ROOT, stack).secretKeys, stack).to.deep.equal(declared);
  });

  it("a secure: value nested in an object key is refused by the offline plan too, without its text, and nothing is created", async () => {
    const stackFile = editedStackFile("production", (config) => (config["platform:apps"][0].env = { API_TOKEN: { secure: "v1:NESTED-CIPHERTEXT-0b5e" } }));
    const error = await programFailure("production", { stackFile });
    expect(error.message).to.equal(
      'Invalid configuration for stack "production" (1 problem):\n' +
        "  - apps: holds a secret value (a secure: entry), but the platform uses this key in plain text, where the secret would leak; " +
        "store each secret in a key of its own (pulumi config set --secret <key> <value>) and reference it, e.g. from an app's secretEnv",
    );
    expect(recorder.list()).to.deep.equal([]);
  });

  it("the loader reads the secret declarations of the project being run (the engine's root directory), not its own", () => {
    // A program using the installed library: its Pulumi.yaml declares secrets of its own.
    const consumer = runTempDir("platform-consumer-project-");
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\nconfig:\n  legacyToken:\n    type: string\n    secret: true\n  region:\n    type: string\n");
    useMockStack("staging", {}, [], consumer);
    expect([...readRawStackConfig("platform", () => false).declaredSecretKeys]).to.deep.equal(["legacyToken"]);
    useMockStack("staging", {}, []);
    expect([...readRawStackConfig("platform", () => false).declaredSecretKeys]).to.deep.equal(Object.entries(project.config).filter(([, d]) => d.secret).map(([k]) => k).sort());
  });

  it("the loader asks the engine which keys are encrypted", () => {
    const isSecret = configSecretPredicate({ isConfigSecret: (k: string) => k === "platform:smtpPassword" });
    expect(isSecret("platform:smtpPassword")).to.equal(true);
    expect(isSecret("platform:slackWebhookUrl")).to.equal(false);
  });

  it("the loader fails closed when the runtime cannot say which keys are encrypted", () => {
    expect(() => configSecretPredicate({})).to.throw(
      "Cannot tell which configuration keys are stored encrypted: this @pulumi/pulumi runtime has no isConfigSecret. " +
        "Refusing to run, since a secret stored in plain text could not be detected; pin @pulumi/pulumi to a version that has it.",
    );
  });

  it("the runtime this repository pins has the function the loader relies on", () => {
    expect(() => configSecretPredicate()).to.not.throw();
  });
});
