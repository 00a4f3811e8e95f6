import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { toJson } from "../../components/core/yaml";
import { SECRET_CHECKSUM_ANNOTATION } from "../../components/core";
import { PROJECT } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { ciphertextStandIn, readStackConfig } from "../../plan/stack-file";
import { declaredSecretKeys } from "../../stacks/declared-secrets";
import { parseStackSettings, PlatformConfigError, rawStackConfig, type RawStackConfig } from "../../stacks/parse";
import { committedRawConfig, committedSettings, NODE, PLAN_COMMAND, planStack, STACKS, type StackName } from "../harness";

/**
 * The committed stack files after the real Pulumi CLI rewrote them (fixtures/cli-written/refresh: `pulumi stack
 * init`, `pulumi config set --secret` for every secret, `--path` edits to the values already there), and what
 * `pulumi config --json` says the CLI hands the program. Both the loader and the offline plan must take them.
 */
const FIXTURES = path.join(__dirname, "fixtures", "cli-written");

interface CliConfigEntry {
  readonly value?: string;
  readonly objectValue?: unknown;
  readonly secret: boolean;
}

const cliFile = (stack: StackName) => path.join(FIXTURES, `Pulumi.${stack}.yaml`);
const cliConfig = (stack: StackName) => JSON.parse(fs.readFileSync(path.join(FIXTURES, `Pulumi.${stack}.config.json`), "utf8")) as Record<string, CliConfigEntry>;
const stackDocument = (file: string) => parse(fs.readFileSync(file, "utf8")) as { config: Record<string, any>; encryptionsalt?: string };

/** A written plan with every pod template's secret checksum blanked, and the resources that had one. */
function withoutSecretChecksums(record: { resources: { name: string; inputs: any }[] }): { record: unknown; changed: string[] } {
  const changed: string[] = [];
  for (const r of record.resources) {
    const annotations = r.inputs?.spec?.template?.metadata?.annotations;
    if (annotations?.[SECRET_CHECKSUM_ANNOTATION] === undefined) continue;
    annotations[SECRET_CHECKSUM_ANNOTATION] = "(blanked)";
    changed.push(r.name);
  }
  return { record, changed };
}

describe("stack files as the Pulumi CLI writes them", () => {
  it("were written by the Pulumi CLI this repository builds, from the stack files as they are now", () => {
    expect(fs.readFileSync(path.join(FIXTURES, "pulumi-version"), "utf8").trim()).to.equal("v3.274.1");
    for (const line of fs.readFileSync(path.join(FIXTURES, "made-from.sha256"), "utf8").trim().split("\n")) {
      const [sha256, file] = line.split(/\s+/);
      const now = crypto.createHash("sha256").update(fs.readFileSync(path.join(REPOSITORY_ROOT, file))).digest("hex");
      expect(now, `${file} changed since the fixtures were made: run bash tests/stacks/fixtures/cli-written/refresh`).to.equal(sha256);
    }
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      it("hold the CLI's spelling: top-level numbers and booleans as strings, a --path decimal as a string, ciphertexts and a salt", () => {
        const committed = stackDocument(path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`)).config;
        const rewritten = stackDocument(cliFile(stack));
        for (const key of ["platform:traceSamplingPercent", "platform:pagerdutyEnabled"]) {
          expect(committed[key], key).to.not.be.a("string");
          expect(rewritten.config[key], key).to.equal(String(committed[key]));
        }
        const ratio = committed["platform:alertThresholds"].http.errorRatio;
        expect(ratio).to.be.a("number");
        expect(rewritten.config["platform:alertThresholds"].http.errorRatio).to.equal(String(ratio));
        expect(rewritten.encryptionsalt).to.match(/^v1:/);
        const secure = Object.entries(rewritten.config).filter(([, v]) => v !== null && typeof v === "object" && "secure" in v);
        expect(secure.map(([k]) => k).sort()).to.deep.equal(committedRawConfigSecretKeys(stack));
        for (const [key, value] of secure) expect(value.secure, key).to.match(/^v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}$/);
      });

      it("plan/stack-file.ts reads every value as the CLI does (`pulumi config --json`, project defaults merged)", () => {
        const cli = cliConfig(stack);
        const ours = readStackConfig(REPOSITORY_ROOT, stack, cliFile(stack));
        expect(Object.keys(ours.values).sort()).to.deep.equal(Object.keys(cli).sort());
        expect(ours.secretKeys).to.deep.equal(Object.keys(cli).filter((k) => cli[k].secret).sort());
        const written = stackDocument(cliFile(stack)).config;
        for (const [key, entry] of Object.entries(cli)) {
          // Never decrypted: the stand-in of the CLI's ciphertext.
          if (entry.secret) expect(ours.values[key], key).to.equal(ciphertextStandIn(written[key].secure));
          else if (entry.objectValue !== undefined) expect(JSON.parse(ours.values[key]), key).to.deep.equal(entry.objectValue);
          else expect(ours.values[key], key).to.equal(entry.value);
        }
      });

      it("the loader takes what the CLI hands the program and gets exactly the committed file's settings", () => {
        expect(parseStackSettings(stack, rawConfigFromCli(cliConfig(stack)))).to.deep.equal(committedSettings(stack));
      });

      it("`npm run plan -- --config` plans it to exactly the committed file's plan", async () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-cli-written-"));
        try {
          const run = spawnSync(NODE, [...PLAN_COMMAND, "--stack", stack, "--config", cliFile(stack), "--out", out, "--quiet"], {
            cwd: REPOSITORY_ROOT,
            encoding: "utf8",
            timeout: 120_000,
          });
          expect(run.status, run.stderr).to.equal(0);
          // The CLI encrypted the secrets anew, and the offline plan cannot tell a new ciphertext of the same
          // value from a rotated secret: the apps' secret checksums follow the ciphertexts, and nothing else differs.
          const planned = withoutSecretChecksums(JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")));
          const committed = withoutSecretChecksums(JSON.parse(toJson((await planStack(stack)).record)));
          expect(planned.changed, "resources with a secret checksum").to.deep.equal(committed.changed).and.not.have.lengthOf(0);
          expect(planned.record).to.deep.equal(committed.record);
        } finally {
          fs.rmSync(out, { recursive: true, force: true });
        }
      });
    });
  }

  describe("scalars in the CLI's spelling, wherever `pulumi config set --path` puts them", () => {
    const settingsWith = (edit: (values: Record<string, any>) => void) => {
      const raw = committedRawConfig("production");
      const decoded: Record<string, any> = {};
      for (const key of ["alertThresholds", "apps", "namespaces"]) decoded[key] = JSON.parse(raw.values[key]);
      edit(decoded);
      const values = { ...raw.values, ...Object.fromEntries(Object.entries(decoded).map(([k, v]) => [k, JSON.stringify(v)])) };
      return parseStackSettings("production", { ...raw, values });
    };

    it("a decimal stored as a string is the number", () => {
      expect(settingsWith((v) => (v.alertThresholds.http.errorRatio = "0.02")).alertThresholds.http.errorRatio).to.equal(0.02);
    });

    it("a boolean or a number where a string belongs is its text", () => {
      const settings = settingsWith((v) => {
        v.apps[0].env = { ...v.apps[0].env, FEATURE_FLAG: true };
        v.namespaces[1].quota.requestsCpu = 20;
      });
      expect(settings.apps[0].env.FEATURE_FLAG).to.equal("true");
      expect(settings.namespaces[1].quota.requestsCpu).to.equal("20");
    });

    it('"true" or "false" where a boolean belongs is the boolean', () => {
      expect(settingsWith((v) => (v.namespaces[1].egress.internet = "false")).namespaces[1].egress.internet).to.equal(false);
    });

    it("anything else is still refused, with the key path and the value as read", () => {
      const problems = (edit: (values: Record<string, any>) => void) => {
        try {
          settingsWith(edit);
        } catch (err) {
          expect(err).to.be.instanceOf(PlatformConfigError);
          return (err as PlatformConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
        }
        throw new Error("expected the configuration to be rejected");
      };
      expect(problems((v) => (v.alertThresholds.http.errorRatio = "lots"))).to.deep.equal([
        'alertThresholds.http.errorRatio: must be a number between 0 and 1 (0.05 means 5 %) (got "lots")',
      ]);
      expect(problems((v) => (v.alertThresholds.http.errorRatio = "1.5"))).to.deep.equal([
        "alertThresholds.http.errorRatio: must be a ratio between 0 and 1 (0.05 means 5 %) (got 1.5)",
      ]);
      // YAML 1.1's "yes" is not a boolean to the CLI or to the loader.
      expect(problems((v) => (v.namespaces[1].egress.internet = "yes"))).to.deep.equal([
        'namespaces[1].egress.internet: expected boolean, received string (got "yes")',
      ]);
    });
  });
});

/**
 * What the engine hands the loader for the values `pulumi config --json` lists: the project's keys without
 * their prefix, secrets (whose text the loader never reads) as a stand-in.
 */
function rawConfigFromCli(cli: Record<string, CliConfigEntry>): RawStackConfig {
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, entry] of Object.entries(cli)) {
    values[key] = entry.secret ? "decrypted-by-the-engine" : entry.value!;
    if (entry.secret) secretKeys.push(key);
  }
  return rawStackConfig(PROJECT, values, secretKeys, declaredSecretKeys(REPOSITORY_ROOT));
}

function committedRawConfigSecretKeys(stack: StackName): string[] {
  return [...committedRawConfig(stack).secretKeys].map((k) => `platform:${k}`).sort();
}
