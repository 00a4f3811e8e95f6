import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { type PlanRecord, REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { engineConfig, secretSentinel, STACKS, type StackName } from "../harness";

/**
 * The whole program, given every secret of the stack decrypted (a distinct sentinel per key, as the engine hands
 * them over): a secret may reach a resource only as a secret input, which the engine encrypts in the state and
 * masks in `pulumi preview --diff`, and which the mock records as "[secret]"; a password the program generates
 * likewise. So no recorded resource (inputs,
 * names, URNs, options, dependencies, rendered chart objects), no stack output but a secret one and nothing
 * the program prints may hold a sentinel, nor its base64, hex, URL-encoding or unsalted hash.
 */

/**
 * The secrets of a plan: each config secret's sentinel, and each generated password (the mock's stand-in for a
 * RandomPassword's result, plan/mocks.ts), which the program makes and must keep secret the same way.
 */
function secretsOf(record: PlanRecord, secretKeys: readonly string[]): Record<string, string> {
  const generated = record.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
  return {
    ...Object.fromEntries(secretKeys.map((key) => [key, secretSentinel(key)])),
    ...Object.fromEntries(generated.map((r) => [r.name, `mock-${r.name}-result`])),
  };
}

/** A secret and the forms of it a careless encoding or checksum would leave behind. */
function leakForms(value: string): Record<string, string> {
  return {
    value,
    base64: Buffer.from(value).toString("base64").slice(0, 24),
    hex: Buffer.from(value).toString("hex"),
    uri: encodeURIComponent(value),
    sha256: createHash("sha256").update(value).digest("hex"),
    sha1: createHash("sha1").update(value).digest("hex"),
    md5: createHash("md5").update(value).digest("hex"),
  };
}

/** Where in `text` any form of any of the secrets appears: `<key> (<form>)`. */
function leaksIn(text: string, secrets: Readonly<Record<string, string>>): string[] {
  return Object.entries(secrets).flatMap(([key, value]) => Object.entries(leakForms(value)).flatMap(([form, needle]) => (text.includes(needle) ? [`${key} (${form})`] : [])));
}

/** An Output's value and whether it is secret, resolved under the mock runtime. */
async function resolved(output: pulumi.Output<unknown>): Promise<{ value: unknown; secret: boolean }> {
  const internal = output as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
  return { value: await internal.promise(), secret: await internal.isSecret };
}

interface Run {
  readonly record: PlanRecord;
  readonly printed: string;
  readonly outputs: Record<string, unknown>;
}

/** Plans the stack with its secrets decrypted to sentinels, capturing what the program printed and its stack outputs. */
async function planWithSentinels(stack: StackName): Promise<Run> {
  const config = engineConfig(stack);
  let printed = "";
  const writes = { out: process.stdout.write, err: process.stderr.write };
  const capture = (stream: NodeJS.WriteStream, original: typeof process.stdout.write) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      printed += String(chunk);
      return (original as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = capture(process.stdout, writes.out);
  process.stderr.write = capture(process.stderr, writes.err);
  let record: PlanRecord;
  try {
    record = await runProgram(stack, { config });
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
  const exports = require.cache[require.resolve(path.join(REPOSITORY_ROOT, "index"))]!.exports as Record<string, unknown>;
  return { record, printed, outputs: exports };
}

describe("no secret of the stack leaves a secret value, with every secret decrypted", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      let run: Run;
      let secretKeys: string[];
      let secrets: Record<string, string>;
      before(async () => {
        secretKeys = engineConfig(stack).secretKeys;
        run = await planWithSentinels(stack);
        secrets = secretsOf(run.record, secretKeys);
      });

      it("the stack holds the secrets this checks, and some resources take them as secret inputs", () => {
        expect(secretKeys).to.include.members(["platform:apiDatabaseUrl", "platform:sentryDsn", "platform:slackWebhookUrl", "platform:smtpPassword", "platform:heartbeatUrl"]);
        const secretInputs = run.record.resources.filter((r) => r.secretPaths.length > 0).map((r) => r.name);
        expect(secretInputs).to.include.members(["platform-alertmanager-config-secret", "platform-app-api-env", "platform-monitoring-kps-grafana-admin"]);
        expect(Object.keys(secrets)).to.include.members(["platform-db-orders-password", "platform-monitoring-kps-grafana-admin-password", "platform-app-api-secret-checksum-salt"]);
      });

      it("no recorded resource holds a secret or a generated password outside a secret input: not in inputs, names, options or chart objects", () => {
        const leaks = run.record.resources.flatMap((r) => leaksIn(JSON.stringify(r), secrets).map((leak) => `${r.type} ${r.name}: ${leak}`));
        expect(leaks).to.deep.equal([]);
      });

      it("a stack output that holds a secret is a secret output", async () => {
        const found: string[] = [];
        for (const [name, value] of Object.entries(run.outputs)) {
          const { value: plain, secret } = pulumi.Output.isInstance(value) ? await resolved(value) : { value, secret: false };
          const leaks = leaksIn(JSON.stringify(plain) ?? "", secrets);
          if (leaks.length > 0 && !secret) found.push(`${name}: ${leaks.join(", ")}`);
        }
        expect(Object.keys(run.outputs), "the stack's outputs were read").to.include("grafanaUrl");
        expect(found).to.deep.equal([]);
      });

      it("the program prints no secret while it runs", () => {
        expect(leaksIn(run.printed, secrets)).to.deep.equal([]);
      });
    });
  }
});
