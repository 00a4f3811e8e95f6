import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, recorder } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { readStackConfig } from "../../plan/stack-file";
import { parseQuantity } from "../../policy/rules/quota-demand";
import { declaredSecretKeys } from "../../stacks/declared-secrets";
import { parseStackSettings, PlatformConfigError, type RawStackConfig, rawStackConfig } from "../../stacks/parse";
import { StackSettingsSchema } from "../../stacks/schema";
import { committedRawConfig, editedStackFile, editJsonKey, programFailure, STACKS, type StackName } from "../harness";
import { runTempDir } from "../temp-dirs";

/** The committed stack file as the engine would pass it, after `edit` changed the unqualified keys. */
function rawConfig(stack: StackName, edit: (values: Record<string, string>, secrets: Set<string>) => void = () => {}): RawStackConfig {
  const { values, secretKeys, otherValues, declaredSecretKeys } = committedRawConfig(stack);
  const editable = { ...values };
  const secrets = new Set(secretKeys);
  edit(editable, secrets);
  return { values: editable, secretKeys: secrets, otherValues, declaredSecretKeys };
}

/** What the refusal of a secret in an app's plain env says after naming why (it never repeats the value). */
const PLAIN_ENV_SECRET_ADVICE = (name: string) =>
  "and env is stored in plain text (the plan, the state, the Deployment); the value is not repeated here. " +
  `Store it with pulumi config set --secret <key> <value> and reference <key> from the app's secretEnv (secretEnv: {${name}: <key>}) instead`;

/** What the refusal of a secret pasted into a key used in plain text says after naming its kind (it never repeats the value). */
const PASTED_SECRET_ADVICE =
  "which this key would put in plain text into the plan, the state and the resources; the value is not repeated here. " +
  "A secret goes in a key of its own: pulumi config set --secret <key> <value>";

/** How a report names the one character of a key or value that reads as another. */
const HIDDEN = (where: string) => `a character other than plain ASCII letters, digits and signs (${where}), a look-alike letter or an invisible space`;

function problemsOf(stack: StackName, edit: (values: Record<string, string>, secrets: Set<string>) => void): string[] {
  try {
    parseStackSettings(stack, rawConfig(stack, edit));
  } catch (err) {
    expect(err).to.be.instanceOf(PlatformConfigError);
    return (err as PlatformConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
  }
  throw new Error("expected the configuration to be rejected");
}

/** The problems of the PlatformConfigError `load` throws. */
function problemsOfError(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    expect(err).to.be.instanceOf(PlatformConfigError);
    return (err as PlatformConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
  }
  throw new Error("expected the configuration to be rejected");
}

describe("stack configuration", () => {
  describe("the committed stack files", () => {
    it("staging: DEBUG logs, 50 % tracing, 7-day retention (metrics 30 days, the SLO window), backups at 03:00, never pages", () => {
      const s = parseStackSettings("staging", rawConfig("staging"));
      expect(s).to.include({
        environment: "staging",
        logLevel: "DEBUG",
        traceSamplingPercent: 50,
        metricsRetention: "30d",
        logRetention: "7d",
        traceRetention: "7d",
        backupRetention: "7d",
        backupKeepLast: 3,
        backupReplicaRegion: "eu-central-1",
        recoveryTimeObjective: "8h",
        backupSchedule: "0 3 * * *",
        pagerdutyEnabled: false,
        domain: "staging.platform.example.com",
        slackChannel: "#alerts-staging",
      });
    });

    for (const stack of STACKS) {
      it(`${stack}: Prometheus keeps every app's whole SLO window (30d in 30d), and the backups' maximum age covers a late, retried run (29h)`, () => {
        const s = parseStackSettings(stack, rawConfig(stack));
        expect(s.apps.filter((app) => app.slos).map((app) => [app.name, app.slos!.window, s.metricsRetention])).to.deep.equal([["api", "30d", "30d"]]);
        expect([s.backupSchedule, s.alertThresholds.backups.maxAge, s.databases.map((db) => db.backup.runDeadline)]).to.deep.equal([
          stack === "staging" ? "0 3 * * *" : "0 2 * * *",
          "29h",
          [undefined],
        ]);
      });
    }

    it("production: INFO logs, 10 % tracing, 30-day retention, backups at 02:00, pages", () => {
      const s = parseStackSettings("production", rawConfig("production"));
      expect(s).to.include({
        environment: "production",
        logLevel: "INFO",
        traceSamplingPercent: 10,
        metricsRetention: "30d",
        logRetention: "30d",
        traceRetention: "14d",
        backupRetention: "30d",
        backupKeepLast: 7,
        backupReplicaRegion: "eu-central-1",
        recoveryTimeObjective: "4h",
        backupSchedule: "0 2 * * *",
        pagerdutyEnabled: true,
        domain: "platform.example.com",
        slackChannel: "#alerts-production",
      });
    });

    it("traces: staging on Tempo's volume, production in S3; span loss alerts tighter in production", () => {
      const staging = parseStackSettings("staging", rawConfig("staging"));
      const production = parseStackSettings("production", rawConfig("production"));
      expect(staging.monitoring.tempo).to.deep.include({ storage: "filesystem", storageSize: "10Gi" });
      expect(production.monitoring.tempo).to.deep.include({ storage: "s3", storageSize: "20Gi" });
      expect(staging.alertThresholds.tracing).to.deep.equal({ spanLossRatio: 0.05, spanLossFor: "30m", storeFlushFailingFor: "30m" });
      expect(production.alertThresholds.tracing).to.deep.equal({ spanLossRatio: 0.01, spanLossFor: "10m", storeFlushFailingFor: "15m" });
      // LogEntriesDropped's window, like span loss's: longer in staging, which nobody watches closely.
      expect([staging.alertThresholds.logs, production.alertThresholds.logs]).to.deep.equal([{ droppedEntriesFor: "30m" }, { droppedEntriesFor: "10m" }]);
    });

    it("production gets larger quotas than staging in every namespace", () => {
      const staging = parseStackSettings("staging", rawConfig("staging"));
      const production = parseStackSettings("production", rawConfig("production"));
      expect(production.namespaces.map((n) => n.name)).to.deep.equal(staging.namespaces.map((n) => n.name));
      production.namespaces.forEach((ns, i) => {
        expect(ns.quota.pods, ns.name).to.be.greaterThan(staging.namespaces[i].quota.pods);
        expect(parseQuantity(ns.quota.requestsCpu), ns.name).to.be.greaterThan(parseQuantity(staging.namespaces[i].quota.requestsCpu)!);
      });
    });

    it("staging may run without a dead man's switch; production may not (below)", () => {
      const s = parseStackSettings("staging", rawConfig("staging", (v, secrets) => {
        delete v.heartbeatUrl;
        secrets.delete("heartbeatUrl");
      }));
      expect(s.environment).to.equal("staging");
    });

    it("both stacks link runbooks under their runbookBaseUrl, and page on SLO burns after 2m, ticket after 15m", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack));
        expect(s.runbookBaseUrl, stack).to.equal("https://github.com/example/platform/blob/main/components/alerting/runbooks");
        expect(s.alertThresholds.slo, stack).to.deep.equal({ pageFor: "2m", ticketFor: "15m" });
        expect(s.alertRouting.timing.heartbeat, stack).to.deep.equal({ groupWait: "10s", groupInterval: "30s", repeatInterval: "1m" });
      }
    });

    it("defaults declared in Pulumi.yaml are merged like the CLI does (team, monitoring namespace, cluster flavour)", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack));
        expect(s.monitoringNamespace).to.equal("monitoring");
        expect(s.clusterFlavour).to.equal("eks");
        // The committed files name nodeAgentsNamespace; without it, Pulumi.yaml's default applies.
        const file = readStackConfig(REPOSITORY_ROOT, stack, editedStackFile(stack, (config) => delete config["platform:nodeAgentsNamespace"]));
        expect(parseStackSettings(stack, rawStackConfig(PROJECT, file.values, file.secretKeys, declaredSecretKeys(REPOSITORY_ROOT))).nodeAgentsNamespace, stack).to.equal("node-agents");
      }
    });

    it("the node agents run in their own privileged namespace; every other namespace enforces restricted", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack));
        expect(s.nodeAgentsNamespace, stack).to.equal("node-agents");
        expect(s.namespaces.map((ns) => [ns.name, ns.podSecurity]), stack).to.deep.equal([
          ["monitoring", "restricted"],
          ["apps", "restricted"],
          ["backups", "restricted"],
          ["gateway", "restricted"],
          ["cert-manager", "restricted"],
          ["external-dns", "restricted"],
          ["external-secrets", "restricted"],
          ["node-agents", "privileged"],
        ]);
        const nodeAgents = s.namespaces.find((ns) => ns.name === "node-agents")!;
        expect(nodeAgents.quota.persistentVolumeClaims, "no volumes: nothing to protect").to.equal(0);
        expect(nodeAgents.egress, "no blanket egress: Alloy's NetworkPolicies open its own paths").to.deep.equal({ internet: false, allNamespaces: false, namespaces: [] });
        expect(nodeAgents.ingressFromNamespaces).to.deep.equal([]);
      }
    });

    it("staging holds a secret Pulumi.yaml declares that nothing in it reads (redisSessionsPassword), unread", () => {
      const raw = rawConfig("staging");
      expect(raw.secretKeys.has("redisSessionsPassword") && raw.declaredSecretKeys.has("redisSessionsPassword"), "the committed file holds it").to.equal(true);
      expect(parseStackSettings("staging", raw).caches.map((c) => c.passwordConfigKey)).to.deep.equal([undefined]);
    });

    it("schedules in the spellings Kubernetes takes are accepted: a macro, names, ranges in either case", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack, (v) => ((v.backupSchedule = "@daily"), (v.restoreDrillSchedule = "0 5 * jan-DEC Sun"))));
        expect([s.backupSchedule, s.restoreDrillSchedule], stack).to.deep.equal(["@daily", "0 5 * jan-DEC Sun"]);
      }
    });

    it("a retention of 292 years, the longest Prometheus holds, is accepted", () => {
      expect(parseStackSettings("staging", rawConfig("staging", (v) => (v.metricsRetention = "292y"))).metricsRetention).to.equal("292y");
    });

    it("YAML merge keys (<<: *defaults) are read as the Pulumi CLI reads them", () => {
      const committed = readStackConfig(REPOSITORY_ROOT, "production");
      const text = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8");
      // external-dns's namespace entry written as cert-manager's, merged in, with its own name.
      const merged = text
        .replace("    - name: cert-manager\n", "    - &defaults\n      name: cert-manager\n")
        .replace(/    - name: external-dns\n(?:      .*\n)+/, "    - <<: *defaults\n      name: external-dns\n");
      expect(merged, "the entry is written as a merge").to.match(/- <<: \*defaults\n {6}name: external-dns\n {4}- name: external-secrets\n/);
      const file = path.join(runTempDir("platform-merge-"), "Pulumi.production.yaml");
      fs.writeFileSync(file, merged);
      const read = readStackConfig(REPOSITORY_ROOT, "production", file);

      const namespaces = JSON.parse(committed.values["platform:namespaces"]) as { name: string }[];
      const certManager = namespaces.find((ns) => ns.name === "cert-manager")!;
      const expected = namespaces.map((ns) => (ns.name === "external-dns" ? { ...certManager, name: "external-dns" } : ns));
      expect(JSON.parse(read.values["platform:namespaces"])).to.deep.equal(expected);
      expect({ ...read.values, "platform:namespaces": "" }).to.deep.equal({ ...committed.values, "platform:namespaces": "" });
      expect(read.secretKeys).to.deep.equal(committed.secretKeys);
    });

    it("a stack file in UTF-16 after its byte order mark, or with CR or CRLF line breaks, reads as the CLI reads it", () => {
      for (const stack of STACKS) {
        const committed = readStackConfig(REPOSITORY_ROOT, stack);
        const text = fs.readFileSync(path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`), "utf8");
        const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
        const encodings: [string, Buffer][] = [
          ["UTF-16LE", utf16le],
          ["UTF-16BE", Buffer.from(utf16le).swap16()],
          ["CR line breaks", Buffer.from(text.replace(/\n/g, "\r"))],
          ["CRLF line breaks after a UTF-8 byte order mark", Buffer.from(`\uFEFF${text.replace(/\n/g, "\r\n")}`)],
        ];
        for (const [encoding, bytes] of encodings) {
          const file = path.join(runTempDir("platform-encoding-"), `Pulumi.${stack}.yaml`);
          fs.writeFileSync(file, bytes);
          expect(readStackConfig(REPOSITORY_ROOT, stack, file), `${stack}, ${encoding}`).to.deep.equal(committed);
        }
      }
    });

    it("staging may back up no database (the policy only advises there); production may not (below)", () => {
      const s = parseStackSettings("staging", rawConfig("staging", (v) => editJsonKey<any[]>(v, "databases", (dbs) => dbs.forEach((db) => (db.backup.enabled = false)))));
      expect(s.databases.map((db) => db.backup.enabled)).to.deep.equal([false]);
    });

    it("a stack named for neither environment may be either", () => {
      expect(parseStackSettings("qa", rawConfig("staging")).environment).to.equal("staging");
      expect(parseStackSettings("qa", rawConfig("production")).environment).to.equal("production");
    });

    it("each stack sizes its quotas for its largest cluster: staging 6 nodes, production 20", () => {
      expect(parseStackSettings("staging", rawConfig("staging")).maxNodes).to.equal(6);
      expect(parseStackSettings("production", rawConfig("production")).maxNodes).to.equal(20);
    });
  });

  describe("numbers where text belongs", () => {
    /** Production's stack file with `text` edited, as the offline plan reads it and the loader takes it. */
    const offline = (edit: (text: string) => string) => {
      const text = fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8");
      const edited = edit(text);
      expect(edited, "the edit applies").to.not.equal(text);
      const file = path.join(runTempDir("platform-numbers-"), "Pulumi.production.yaml");
      fs.writeFileSync(file, edited);
      const read = readStackConfig(REPOSITORY_ROOT, "production", file);
      return { read, settings: () => parseStackSettings("production", rawStackConfig(PROJECT, read.values, read.secretKeys, declaredSecretKeys(REPOSITORY_ROOT))) };
    };
    const withEnv = (env: string) => (t: string) => t.replace("      secretEnv:\n        DATABASE_URL", `      env: ${env}\n      secretEnv:\n        DATABASE_URL`);

    it("a top-level value is handed over as written, as the CLI hands it (an unquoted account id keeps its leading zero)", () => {
      const { read } = offline((t) => t.replace('platform:awsAccountId: "123456789012"', "platform:awsAccountId: 012345678901").replace("platform:maxNodes: 20", "platform:maxNodes: 2e1"));
      expect(read.values["platform:awsAccountId"]).to.equal("012345678901");
      expect(read.values["platform:maxNodes"]).to.equal("2e1");
    });

    it("quoted text, a plain integer and a decimal JavaScript prints back as written are taken as their text", () => {
      const { settings } = offline(withEnv('{ VERSION: "1.10", RELEASE: 20240101, ROLLOUT: 0.5, FEATURE: true }'));
      expect(settings().apps[0].env).to.deep.equal({ VERSION: "1.10", RELEASE: "20240101", ROLLOUT: "0.5", FEATURE: "true" });
    });

    it("the offline plan refuses a number whose spelling YAML does not keep, naming its spelling", () => {
      const { settings } = offline(withEnv("{ VERSION: 1.10, BUILD: 1e3, SCALE: 1.0, ID: 12345678901234567890 }"));
      expect(problemsOfError(settings)).to.deep.equal([
        "apps[0].env.VERSION: YAML reads 1.10 as the number 1.1; quote it",
        "apps[0].env.BUILD: YAML reads 1e3 as the number 1000; quote it",
        "apps[0].env.SCALE: YAML reads 1.0 as the number 1; quote it",
        "apps[0].env.ID: YAML reads 12345678901234567890 as the number 12345678901234567000; quote it",
      ]);
    });

    it("the engine's JSON: an integer past 2^53 is refused, whatever its spelling, never quoted where a secret's key name belongs", () => {
      expect(
        problemsOf("production", (v) => {
          v.apps = v.apps.replace(/"secretEnv":\{/, '"env":{"ID":12345678901234567890,"EXACT":9007199254740994,"PORT":8080},"secretEnv":{');
          v.caches = v.caches.replace('"redisSessionsPassword"', "98765432109876543210");
        }),
      ).to.deep.equal([
        "caches[0].passwordConfigKey: is a number in YAML, not the text written; quote it",
        "apps[0].env.ID: YAML reads 12345678901234567890 as the number 12345678901234567000; quote it",
        "apps[0].env.EXACT: is the number 9007199254740994, past the integers a number holds exactly, so its digits may be lost; quote it",
      ]);
    });
  });

  describe("Pulumi.yaml declares the scalar keys of the schema", () => {
    const project = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { type: string; secret?: boolean }> };
    const shape = StackSettingsSchema.shape as Record<string, { def: { type: string } }>;
    const typeOf: Record<string, string> = { string: "string", enum: "string", number: "integer", boolean: "boolean" };

    it("every declared key exists in the schema (or is a secret) with the same type", () => {
      for (const [key, declaration] of Object.entries(project.config)) {
        if (declaration.secret) continue;
        expect(shape, `Pulumi.yaml declares ${key}`).to.have.property(key);
        expect(declaration.type, key).to.equal(typeOf[shape[key].def.type] ?? "object");
      }
    });

    it("every scalar schema key is declared, with a description", () => {
      for (const [key, field] of Object.entries(shape)) {
        const scalar = field.def.type in typeOf;
        if (scalar) expect(project.config, `schema key ${key} missing from Pulumi.yaml`).to.have.property(key);
      }
      for (const [key, declaration] of Object.entries(project.config)) {
        expect((declaration as { description?: string }).description, key).to.be.a("string").and.not.equal("");
      }
    });
  });

  describe("bad input is rejected with one error naming every key", () => {
    const cases: [string, StackName, (v: Record<string, string>, s: Set<string>) => void, string | string[]][] = [
      ["wrong type", "staging", (v) => (v.traceSamplingPercent = '"lots"'), 'traceSamplingPercent: expected number, received string (got "lots")'],
      ["out of range", "production", (v) => (v.traceSamplingPercent = "150"), "traceSamplingPercent: Too big: expected number to be <=100 (got 150)"],
      ["unknown key (typo)", "staging", (v) => (v.logLevle = "INFO"), "logLevle: unknown key (check the spelling; Pulumi.yaml lists every key)"],
      [
        "unknown nested key",
        "production",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[1].quota.podz = 3)),
        "namespaces[1].quota.podz: unknown key (check the spelling; Pulumi.yaml lists every key)",
      ],
      ["bad enum", "staging", (v) => (v.logLevel = "VERBOSE"), 'logLevel: expected one of "DEBUG"|"INFO"|"WARNING"|"ERROR" (got "VERBOSE")'],
      [
        "bad nested enum",
        "production",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[0].podSecurity = "open")),
        'namespaces[0].podSecurity: expected one of "privileged"|"baseline"|"restricted" (got "open")',
      ],
      [
        "malformed cron",
        "production",
        (v) => (v.backupSchedule = "0 25 * * *"),
        "backupSchedule: is not a CronJob schedule the platform takes: Number '25' of hours field is bigger than upper limit '23'. (got \"0 25 * * *\")",
      ],
      [
        "cron with seconds",
        "staging",
        (v) => (v.backupSchedule = "0 0 3 * * *"),
        'backupSchedule: is not a CronJob schedule the platform takes: a Kubernetes schedule has exactly five fields (minute hour day-of-month month day-of-week) (got "0 0 3 * * *")',
      ],
      ["malformed duration", "staging", (v) => (v.metricsRetention = "30 days"), 'metricsRetention: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "30 days")'],
      ["a retention longer than Prometheus can hold (over 292 years)", "staging", (v) => (v.metricsRetention = "300y"), 'metricsRetention: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "300y")'],
      ["292 years and 30 weeks, just past Prometheus' longest", "production", (v) => (v.backupRetention = "292y30w"), 'backupRetention: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "292y30w")'],
      [
        "an alert's for longer than Prometheus can hold",
        "production",
        (v) => editJsonKey<any>(v, "alertThresholds", (t) => (t.tracing.spanLossFor = "1000y")),
        'alertThresholds.tracing.spanLossFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "1000y")',
      ],
      ["retention not in whole days", "production", (v) => (v.logRetention = "36h"), 'logRetention: must be a whole number of days, e.g. 7d or 30d (got "36h")'],
      ["trace retention not in whole days", "staging", (v) => (v.traceRetention = "12h"), 'traceRetention: must be a whole number of days, e.g. 7d or 30d (got "12h")'],
      [
        "unknown trace storage",
        "production",
        (v) => editJsonKey<any>(v, "monitoring", (m) => (m.tempo.storage = "gcs")),
        'monitoring.tempo.storage: expected one of "filesystem"|"s3" (got "gcs")',
      ],
      ["trace store without resources", "staging", (v) => editJsonKey<any>(v, "monitoring", (m) => delete m.tempo.resources), "monitoring.tempo.resources: is required but not set"],
      [
        "Tempo on S3 without an OIDC provider",
        "staging",
        (v) => {
          editJsonKey<any>(v, "monitoring", (m) => (m.tempo.storage = "s3"));
          v.oidcProviderArn = "";
          const dbs = JSON.parse(v.databases);
          dbs[0].backup.enabled = false;
          v.databases = JSON.stringify(dbs);
        },
        "oidcProviderArn: is required when monitoring.tempo.storage is s3 (Tempo reaches S3 through an IRSA role)",
      ],
      [
        "span loss ratio as a percentage",
        "production",
        (v) => {
          const t = JSON.parse(v.alertThresholds);
          t.tracing.spanLossRatio = 5;
          v.alertThresholds = JSON.stringify(t);
        },
        "alertThresholds.tracing.spanLossRatio: must be a ratio between 0 and 1 (0.05 means 5 %) (got 5)",
      ],
      [
        "app overriding LOG_LEVEL through env",
        "staging",
        (v) => {
          const apps = JSON.parse(v.apps);
          apps[0].env = { LOG_LEVEL: "INFO" };
          v.apps = JSON.stringify(apps);
        },
        'apps[0].env.LOG_LEVEL: is set by the platform from the stack\'s logLevel; set this app\'s logLevel to override it (got "INFO")',
      ],
      ["bad quantity", "staging", (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[2].quota.requestsCpu = "lots")), 'namespaces[2].quota.requestsCpu: must be a CPU quantity such as 250m, 0.5 or 2 (cores, or millicores with m) (got "lots")'],
      ["CPU in bytes", "production", (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[1].quota.requestsCpu = "16Gi")), 'namespaces[1].quota.requestsCpu: must be a CPU quantity such as 250m, 0.5 or 2 (cores, or millicores with m) (got "16Gi")'],
      [
        "memory in thousandths of a byte",
        "staging",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[1].limitRange.defaultLimit.memory = "512m")),
        'namespaces[1].limitRange.defaultLimit.memory: must be a memory quantity such as 512Mi, 4Gi or 1G (bytes; m is not a unit of memory) (got "512m")',
      ],
      [
        "an app's memory in thousandths of a byte",
        "production",
        (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].resources.requests.memory = "512m")),
        'apps[0].resources.requests.memory: must be a memory quantity such as 512Mi, 4Gi or 1G (bytes; m is not a unit of memory) (got "512m")',
      ],
      [
        "a volume size in millis",
        "production",
        (v) => editJsonKey<any>(v, "monitoring", (m) => (m.prometheus.storageSize = "100m")),
        'monitoring.prometheus.storageSize: must be a volume size such as 20Gi, 500G or 1Ti (bytes; m is not a unit of size) (got "100m")',
      ],
      ["missing required key", "production", (v) => delete v.clusterName, "clusterName: is required but not set"],
      [
        "missing production secret",
        "production",
        (v, s) => {
          delete v.smtpPassword;
          s.delete("smtpPassword");
        },
        "smtpPassword: secret is required in production: pulumi config set --secret smtpPassword <value>",
      ],
      [
        "production without the dead man's switch",
        "production",
        (v, s) => {
          delete v.heartbeatUrl;
          s.delete("heartbeatUrl");
        },
        "heartbeatUrl: secret is required in production: pulumi config set --secret heartbeatUrl <value>",
      ],
      [
        "heartbeat URL stored in plain text",
        "production",
        (_v, s) => s.delete("heartbeatUrl"),
        "heartbeatUrl: is stored in plain text; set it again with pulumi config set --secret heartbeatUrl <value>",
      ],
      [
        "runbook base URL with a trailing slash",
        "staging",
        (v) => (v.runbookBaseUrl = "https://github.com/acme/platform/blob/main/components/alerting/runbooks/"),
        'runbookBaseUrl: must be an https:// URL without a trailing slash, query or fragment, such as https://github.com/acme/platform/blob/main/components/alerting/runbooks (got "https://github.com/acme/platform/blob/main/components/al...)',
      ],
      [
        "runbook base URL over plain http",
        "production",
        (v) => (v.runbookBaseUrl = "http://wiki.internal/runbooks"),
        'runbookBaseUrl: must be an https:// URL without a trailing slash, query or fragment, such as https://github.com/acme/platform/blob/main/components/alerting/runbooks (got "http://wiki.internal/runbooks")',
      ],
      ["runbook base URL missing", "production", (v) => delete v.runbookBaseUrl, "runbookBaseUrl: is required but not set"],
      [
        "heartbeat repeated less often than its group interval",
        "production",
        (v) => {
          const r = JSON.parse(v.alertRouting);
          r.timing.heartbeat.repeatInterval = "10s";
          v.alertRouting = JSON.stringify(r);
        },
        'alertRouting.timing.heartbeat.repeatInterval: must not be shorter than groupInterval (30s); Alertmanager only repeats on a group_interval tick (got "10s")',
      ],
      [
        "app SLO objective of 100 %",
        "staging",
        (v) => {
          const apps = JSON.parse(v.apps);
          apps[0].slos.availability.objective = 100;
          v.apps = JSON.stringify(apps);
        },
        "apps[0].slos.availability.objective: must be a percentage above 0 and below 100, such as 99.9 (100 leaves no error budget) (got 100)",
      ],
      [
        "paging without a routing key",
        "staging",
        (v, s) => {
          v.pagerdutyEnabled = "true";
          delete v.pagerdutyRoutingKey;
          s.delete("pagerdutyRoutingKey");
        },
        "pagerdutyRoutingKey: secret is required in staging: pulumi config set --secret pagerdutyRoutingKey <value>",
      ],
      [
        "secret stored in plain text",
        "production",
        (_v, s) => s.delete("slackWebhookUrl"),
        "slackWebhookUrl: is stored in plain text; set it again with pulumi config set --secret slackWebhookUrl <value>",
      ],
      ...(["kube-system", "default", "kube-public", "kube-node-lease", "kube-flannel"] as const).map(
        (name, i): [string, StackName, (v: Record<string, string>) => void, string] => [
          `Kubernetes' own namespace ${name} as a platform namespace`,
          i % 2 === 0 ? "production" : "staging",
          (v) => editJsonKey<any[]>(v, "namespaces", (ns) => ns.push({ ...ns[1], name })),
          `namespaces[8].name: is Kubernetes' own namespace (default, kube-system, kube-public, kube-node-lease or another kube-*); the platform would put its default-deny NetworkPolicies and quota on it: name a namespace of its own (got "${name}")`,
        ],
      ),
      [
        "an app in kube-system",
        "production",
        (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].namespace = "kube-system")),
        'apps[0].namespace: "kube-system" is not one of the configured namespaces (monitoring, apps, backups, gateway, cert-manager, external-dns, external-secrets, node-agents)',
      ],
      [
        "production's stack file saying staging",
        "production",
        (v) => (v.environment = "staging"),
        'environment: must be "production" in the production stack; it decides paging, high availability, retention and every production-only check (got "staging")',
      ],
      [
        "staging's stack file saying production",
        "staging",
        (v) => (v.environment = "production"),
        [
          'environment: must be "staging" in the staging stack; it decides paging, high availability, retention and every staging-only check (got "production")',
          "monitoring.prometheus.replicas: production runs at least 2 for high availability (got 1)",
          "monitoring.alertmanager.replicas: production runs at least 3 for high availability (got 1)",
          "gateway.replicas: production runs at least 2 for high availability (got 1)",
          "apps[0].replicas: production runs at least 2 for high availability (got 1)",
          'certificateIssuer: production must use the production issuer (Let\'s Encrypt\'s production ACME endpoint); staging certificates are trusted by no browser (got "staging")',
        ],
      ],
      [
        "a scrape interval longer than the chart's 2m rate windows allow",
        "staging",
        (v) => editJsonKey<any>(v, "monitoring", (m) => (m.prometheus.scrapeInterval = "2m")),
        "monitoring.prometheus.scrapeInterval: must be at most 1m: Prometheus scrapes and evaluates every rule at this interval, and the chart's node and network rules take rates over 2m windows, which need two scrapes in them (with a longer interval they return nothing and their alerts never fire) (got \"2m\")",
      ],
      [
        "production with fewer nodes than Alertmanager and Loki replicas",
        "production",
        (v) => (v.maxNodes = "2"),
        [
          "monitoring.alertmanager.replicas: production places each replica on a node of its own (required pod anti-affinity), so 3 replicas need maxNodes of at least 3 (got maxNodes 2)",
          "monitoring.loki.replicas: the Loki chart places each replica on a node of its own (required pod anti-affinity), so 3 replicas need maxNodes of at least 3 (got maxNodes 2)",
        ],
      ],
      ["production with one gateway replica", "production", (v) => editJsonKey<any>(v, "gateway", (g) => (g.replicas = 1)), "gateway.replicas: production runs at least 2 for high availability (got 1)"],
      [
        "production backing up no database",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => dbs.forEach((db) => (db.backup.enabled = false))),
        "databases: production must back up at least one database (backup.enabled: true); the policy stack-backups-and-critical-alerts blocks a production stack without a backup CronJob",
      ],
      ["production with no database", "production", (v) => (v.databases = "[]"), "databases: production must back up at least one database (backup.enabled: true); the policy stack-backups-and-critical-alerts blocks a production stack without a backup CronJob"],
      [
        "a misspelt secret key, stored encrypted",
        "production",
        (v, s) => {
          v.pagerDutyRoutingKey = v.pagerdutyRoutingKey;
          s.add("pagerDutyRoutingKey");
        },
        "pagerDutyRoutingKey: unknown key (check the spelling; Pulumi.yaml lists every key)",
      ],
      [
        "an encrypted key in another spelling of a schema key's name",
        "staging",
        (v, s) => {
          v.SlackWebhookUrl = v.slackWebhookUrl;
          s.add("SlackWebhookUrl");
        },
        "SlackWebhookUrl: unknown key (check the spelling; Pulumi.yaml lists every key)",
      ],
      ["duplicate namespace", "staging", (v) => editJsonKey<any[]>(v, "namespaces", (ns) => ns.push({ ...ns[1] })), 'namespaces[8].name: duplicate namespace "apps"'],
      [
        "monitoring namespace not configured",
        "staging",
        (v) => (v.monitoringNamespace = "observability"),
        'monitoringNamespace: "observability" is not one of the configured namespaces (monitoring, apps, backups, gateway, cert-manager, external-dns, external-secrets, node-agents)',
      ],
      [
        "node agents' namespace not configured",
        "production",
        (v) => (v.nodeAgentsNamespace = "agents"),
        'nodeAgentsNamespace: "agents" is not one of the configured namespaces (monitoring, apps, backups, gateway, cert-manager, external-dns, external-secrets, node-agents)',
      ],
      [
        "node agents' namespace not a DNS label",
        "staging",
        (v) => (v.nodeAgentsNamespace = "Node_Agents"),
        "nodeAgentsNamespace: must be a DNS label (namespace: lower-case letters, digits and '-', at most 63) (got \"Node_Agents\")",
      ],
      [
        "node agents back in the monitoring namespace",
        "staging",
        (v) => (v.nodeAgentsNamespace = "monitoring"),
        'nodeAgentsNamespace: must not be the monitoring namespace: the node agents need host access (PSA privileged), which the monitoring workloads must not have (got "monitoring")',
      ],
      [
        "an app in the node agents' namespace",
        "staging",
        (v) => {
          const apps = JSON.parse(v.apps);
          apps[0].namespace = "node-agents";
          v.apps = JSON.stringify(apps);
        },
        'apps[0].namespace: is the node agents\' namespace, the one namespace that admits host access; run apps in an app namespace (got "node-agents")',
      ],
      [
        "node agents' namespace below privileged",
        "production",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[7].podSecurity = "baseline")),
        'namespaces[7].podSecurity: must be "privileged" in the node agents\' namespace (nodeAgentsNamespace): node-exporter uses the host\'s network and PID namespaces and mounts /, /proc and /sys, Alloy mounts /var/log (got "baseline")',
      ],
      [
        "egress to an unknown namespace",
        "production",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[2].egress.namespaces = ["billing"])),
        'namespaces[2].egress.namespaces[0]: "billing" is neither a configured namespace nor kube-system',
      ],
      [
        "production without HA",
        "production",
        (v) => {
          const m = JSON.parse(v.monitoring);
          m.alertmanager.replicas = 1;
          v.monitoring = JSON.stringify(m);
        },
        "monitoring.alertmanager.replicas: production runs at least 3 for high availability (got 1)",
      ],
      [
        "Grafana scaled out",
        "staging",
        (v) => {
          const m = JSON.parse(v.monitoring);
          m.grafana.replicas = 2;
          v.monitoring = JSON.stringify(m);
        },
        "monitoring.grafana.replicas: must be 1 (Grafana keeps its users and sessions in a per-pod SQLite database) (got 2)",
      ],
      [
        "Loki on S3 without an OIDC provider",
        "staging",
        (v) => {
          const m = JSON.parse(v.monitoring);
          m.loki.storage = "s3";
          v.monitoring = JSON.stringify(m);
          v.oidcProviderArn = "";
          const dbs = JSON.parse(v.databases);
          dbs[0].backup.enabled = false;
          v.databases = JSON.stringify(dbs);
        },
        "oidcProviderArn: is required when monitoring.loki.storage is s3 (Loki reaches S3 through an IRSA role)",
      ],
      [
        "duplicate database",
        "production",
        (v) => {
          const dbs = JSON.parse(v.databases);
          v.databases = JSON.stringify([...dbs, dbs[0]]);
        },
        'databases[1].name: duplicate database "orders"',
      ],
      [
        "drill table without schema",
        "staging",
        (v) => {
          const dbs = JSON.parse(v.databases);
          dbs[0].backup.drillTables = ["orders"];
          v.databases = JSON.stringify(dbs);
        },
        'databases[0].backup.drillTables[0]: must be schema.table, e.g. public.orders (got "orders")',
      ],
      [
        "a dump volume size that is no quantity",
        "staging",
        (v) => {
          const dbs = JSON.parse(v.databases);
          dbs[0].backup.dumpVolumeSize = "lots";
          v.databases = JSON.stringify(dbs);
        },
        'databases[0].backup.dumpVolumeSize: must be a volume size such as 20Gi, 500G or 1Ti (bytes; m is not a unit of size) (got "lots")',
      ],
      [
        "backups without a drill table",
        "production",
        (v) => {
          const dbs = JSON.parse(v.databases);
          dbs[0].backup.drillTables = [];
          v.databases = JSON.stringify(dbs);
        },
        "databases[0].backup.drillTables: must name at least one table (schema.table) when backups are enabled: the weekly restore drill checks its rows (got [])",
      ],
      [
        "misspelt team field",
        "production",
        (v) => {
          const r = JSON.parse(v.alertRouting);
          r.teams[0].slackChanel = r.teams[0].slackChannel;
          delete r.teams[0].slackChannel;
          v.alertRouting = JSON.stringify(r);
        },
        [
          "alertRouting.teams[0].slackChannel: is required but not set",
          "alertRouting.teams[0].slackChanel: unknown key (check the spelling; Pulumi.yaml lists every key)",
        ],
      ],
      [
        "repeat shorter than group interval",
        "staging",
        (v) => {
          const r = JSON.parse(v.alertRouting);
          r.timing.critical.repeatInterval = "1m";
          v.alertRouting = JSON.stringify(r);
        },
        'alertRouting.timing.critical.repeatInterval: must not be shorter than groupInterval (5m); Alertmanager only repeats on a group_interval tick (got "1m")',
      ],
      [
        "app image not immutable",
        "production",
        (v) => {
          const apps = JSON.parse(v.apps);
          apps[0].images.green = "ghcr.io/example/api:latest";
          v.apps = JSON.stringify(apps);
        },
        'apps[0].images.green: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed (got "ghcr.io/example/api:latest")',
      ],
      [
        "app secret missing",
        "staging",
        (v, s) => {
          delete v.apiDatabaseUrl;
          s.delete("apiDatabaseUrl");
        },
        "apps[0].secretEnv.DATABASE_URL: reads the secret apiDatabaseUrl, which is not set: pulumi config set --secret apiDatabaseUrl <value>",
      ],
      ["bad email", "production", (v) => (v.alertEmailTo = "oncall"), 'alertEmailTo: must be an email address (got "oncall")'],
      ["unknown cluster flavour", "production", (v) => (v.clusterFlavour = "gke"), 'clusterFlavour: expected one of "eks"|"self-managed" (got "gke")'],
      ["no nodes to size quotas for", "staging", (v) => (v.maxNodes = "0"), "maxNodes: Too small: expected number to be >=1 (got 0)"],
      ["fractional node count", "production", (v) => (v.maxNodes = "2.5"), "maxNodes: expected int, received number (got 2.5)"],
      // zod's int() also breaks its safe-integer bound here: one line, the key's own bound.
      ["a node count beyond safe integers", "staging", (v) => (v.maxNodes = "99999999999999999999999"), "maxNodes: Too big: expected number to be <=5000 (got 1e+23)"],
      ["a node count too large for a number at all", "production", (v) => (v.maxNodes = "1e400"), "maxNodes: expected number, received Infinity (got Infinity)"],
      ["maxNodes missing", "staging", (v) => delete v.maxNodes, "maxNodes: is required but not set"],
      [
        "cache AUTH secret missing",
        "production",
        (v, s) => {
          delete v.redisSessionsPassword;
          s.delete("redisSessionsPassword");
        },
        "caches[0].passwordConfigKey: reads the secret redisSessionsPassword, which is not set: pulumi config set --secret redisSessionsPassword <value>",
      ],
      [
        "cache AUTH secret in plain text",
        "production",
        (v, s) => {
          v.redisSessionsPassword = "hunter2";
          s.delete("redisSessionsPassword");
        },
        "redisSessionsPassword: is stored in plain text; set it again with pulumi config set --secret redisSessionsPassword <value>",
      ],
      [
        "cache AUTH key that is not a config key",
        "production",
        (v) => {
          const caches = JSON.parse(v.caches);
          caches[0].passwordConfigKey = "redis-sessions-auth";
          v.caches = JSON.stringify(caches);
        },
        // The secret it meant is then one nothing reads, which every stack may hold (Pulumi.yaml declares it).
        // Never quoted: where a key's name belongs, a pasted secret is the likeliest mistake.
        ["caches[0].passwordConfigKey: must be a Pulumi config key such as redisSessionsPassword"],
      ],
      [
        "an app's secret key misspelt: the declared key it may mean is named, the misspelling is not repeated",
        "staging",
        (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].secretEnv.DATABASE_URL = "apiDatabseUrl")),
        "apps[0].secretEnv.DATABASE_URL: names a secret's config key that is neither set nor declared in Pulumi.yaml (did you mean apiDatabaseUrl?); its name is not repeated here in case it is a pasted secret: store the secret with pulumi config set --secret <key> <value>, declare <key> with secret: true in Pulumi.yaml and name <key> here",
      ],
      [
        "a password of letters and digits pasted as a cache's passwordConfigKey",
        "production",
        (v) => editJsonKey<any[]>(v, "caches", (caches) => (caches[0].passwordConfigKey = "hunter2Secret")),
        "caches[0].passwordConfigKey: names a secret's config key that is neither set nor declared in Pulumi.yaml; its name is not repeated here in case it is a pasted secret: store the secret with pulumi config set --secret <key> <value>, declare <key> with secret: true in Pulumi.yaml and name <key> here",
      ],
      [
        "allowance for a namespace the platform does not create",
        "staging",
        (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[1].ingressFromNamespaces = ["ingress-nginx"])),
        'namespaces[1].ingressFromNamespaces[0]: "ingress-nginx" is neither a configured namespace nor kube-system',
      ],
      ["no backup kept", "staging", (v) => (v.backupKeepLast = "0"), "backupKeepLast: must keep at least one complete backup (got 0)"],
      ["backups kept not a whole number", "production", (v) => (v.backupKeepLast = "2.5"), "backupKeepLast: expected int, received number (got 2.5)"],
      ["replica region malformed", "staging", (v) => (v.backupReplicaRegion = "eu-central"), 'backupReplicaRegion: must be an AWS region such as eu-central-1, or empty for no replica (got "eu-central")'],
      [
        "production without an off-site replica",
        "production",
        (v) => (v.backupReplicaRegion = ""),
        "backupReplicaRegion: production keeps an off-site copy of its backups: set a second AWS region, e.g. eu-central-1",
      ],
      ["recovery time objective malformed", "production", (v) => (v.recoveryTimeObjective = "4 hours"), 'recoveryTimeObjective: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "4 hours")'],
      [
        "backups further apart than BackupTooOld's maximum age",
        "production",
        (v) => (v.backupSchedule = "0 2 * * 0"),
        'alertThresholds.backups.maxAge: 29h is shorter than a healthy backup of "orders" may take to succeed again, 173h: backupSchedule runs up to 168h apart, the CronJob may start a run up to 1h late (startingDeadlineSeconds) and the run may take 4h with its retry (4h, the default); BackupTooOld would page for a late but healthy backup: raise maxAge to at least 173h, back up more often or shorten the run deadline',
      ],
      [
        // The old check compared the schedule's gap alone: a daily backup under a 26h maximum age passed it, and a
        // retry that succeeded just before the Job's 4h deadline, an hour-late start after, paged.
        "a maximum age that leaves no room for a late start and a retry",
        "staging",
        (v) => editJsonKey<any>(v, "alertThresholds", (t) => (t.backups.maxAge = "26h")),
        'alertThresholds.backups.maxAge: 26h is shorter than a healthy backup of "orders" may take to succeed again, 29h: backupSchedule runs up to 24h apart, the CronJob may start a run up to 1h late (startingDeadlineSeconds) and the run may take 4h with its retry (4h, the default); BackupTooOld would page for a late but healthy backup: raise maxAge to at least 29h, back up more often or shorten the run deadline',
      ],
      [
        "a run deadline longer than the maximum age allows",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.runDeadline = "4h30m")),
        'alertThresholds.backups.maxAge: 29h is shorter than a healthy backup of "orders" may take to succeed again, 29.5h: backupSchedule runs up to 24h apart, the CronJob may start a run up to 1h late (startingDeadlineSeconds) and the run may take 4h30m with its retry (databases[0].backup.runDeadline); BackupTooOld would page for a late but healthy backup: raise maxAge to at least 29.5h, back up more often or shorten the run deadline',
      ],
      ["a run deadline that is no duration", "staging", (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.runDeadline = "4 hours")), 'databases[0].backup.runDeadline: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "4 hours")'],
      [
        "a run deadline too short for any backup",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.runDeadline = "90s")),
        'databases[0].backup.runDeadline: must be a whole number of seconds and at least 10m, e.g. 4h (a dump, its upload and its check take minutes) (got "90s")',
      ],
      ["a run deadline of fractions of a second", "staging", (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.runDeadline = "1h500ms")), 'databases[0].backup.runDeadline: must be a whole number of seconds and at least 10m, e.g. 4h (a dump, its upload and its check take minutes) (got "1h500ms")'],
      [
        // Staging's own mistake until its metricsRetention was raised: a 30-day budget over 7 days of samples.
        "an SLO window longer than Prometheus keeps samples",
        "staging",
        (v) => (v.metricsRetention = "7d"),
        "apps[0].slos.window: 30d is longer than metricsRetention (7d): Prometheus keeps 7d of samples, so the error budget would cover 7d of requests only; raise metricsRetention to at least 30d (with monitoring.prometheus.retentionSize and storageSize to hold it)",
      ],
      ["a backup schedule that never runs", "staging", (v) => (v.backupSchedule = "0 3 31 2 *"), 'backupSchedule: never runs: no date matches "0 3 31 2 *"'],
      [
        // The CronJob forbids overlapping runs: one still going when the next is due makes the controller skip that one.
        "a run deadline as long as the time between two runs",
        "staging",
        (v) => {
          v.backupSchedule = "0 */6 * * *";
          editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.runDeadline = "6h"));
        },
        "databases[0].backup.runDeadline: 6h is not shorter than the 6h between two runs of backupSchedule at their closest: the CronJob forbids overlapping runs, so a run still going when the next is due would make the controller skip that one; shorten the deadline (backup.runDeadline) or back up less often",
      ],
      [
        "hourly backups under the default 4h run deadline",
        "production",
        (v) => (v.backupSchedule = "0 * * * *"),
        'backupSchedule: runs "orders" with the default run deadline 4h, which is not shorter than the 1h between two runs of backupSchedule at their closest: the CronJob forbids overlapping runs, so a run still going when the next is due would make the controller skip that one; shorten the deadline (backup.runDeadline) or back up less often',
      ],
      ["a restore drill schedule that never runs", "production", (v) => (v.restoreDrillSchedule = "0 5 30 2 *"), 'restoreDrillSchedule: never runs: no date matches "0 5 30 2 *"'],
      [
        // Weekly drills (Pulumi.yaml's default schedule), production's 4h objective: 168h + 1h + 8h.
        "a drill maximum age that leaves no room for a late start and a slow drill",
        "production",
        (v) => editJsonKey<any>(v, "alertThresholds", (t) => (t.backups.restoreDrillMaxAge = "7d")),
        "alertThresholds.backups.restoreDrillMaxAge: 7d is shorter than a healthy restore drill may take to pass again, 177h: restoreDrillSchedule runs up to 168h apart, the CronJob may start a drill up to 1h late (startingDeadlineSeconds) and the drill may take 8h (twice recoveryTimeObjective 4h); RestoreDrillTooOld would page for a late but healthy drill: raise restoreDrillMaxAge to at least 177h or drill more often",
      ],
      [
        // Staging's 8h objective lets a drill run 16h; drills on the 1st and 15th are up to 17 days apart (the 15th to the next 1st).
        "drills further apart than RestoreDrillTooOld's maximum age",
        "staging",
        (v) => (v.restoreDrillSchedule = "0 5 1,15 * *"),
        "alertThresholds.backups.restoreDrillMaxAge: 15d is shorter than a healthy restore drill may take to pass again, 425h: restoreDrillSchedule runs up to 408h apart, the CronJob may start a drill up to 1h late (startingDeadlineSeconds) and the drill may take 16h (twice recoveryTimeObjective 8h); RestoreDrillTooOld would page for a late but healthy drill: raise restoreDrillMaxAge to at least 425h or drill more often",
      ],
      [
        "a drill row minimum of zero, which an empty table would pass",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.drillMinRows = 0)),
        "databases[0].backup.drillMinRows: must be a whole number of rows of at least 1, e.g. 1000: a restored drill table with fewer fails the drill (got 0)",
      ],
      [
        "a drill row minimum that is not a whole number",
        "staging",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.drillMinRows = 2.5)),
        "databases[0].backup.drillMinRows: must be a whole number of rows of at least 1, e.g. 1000: a restored drill table with fewer fails the drill (got 2.5)",
      ],
      [
        "a drill row minimum given as text",
        "staging",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.drillMinRows = "1000 rows")),
        'databases[0].backup.drillMinRows: must be a whole number of rows of at least 1, e.g. 1000: a restored drill table with fewer fails the drill (got "1000 rows")',
      ],
      [
        "point-in-time recovery with a malformed identifier",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.pointInTimeRecovery = { rdsCluster: "Orders_DB" })),
        'databases[0].backup.pointInTimeRecovery.rdsCluster: must be an RDS identifier such as orders-db (lower-case letters, digits, single hyphens) (got "Orders_DB")',
      ],
      [
        "point-in-time recovery naming both a cluster and an instance",
        "production",
        (v) => editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.pointInTimeRecovery = { rdsCluster: "orders", rdsInstance: "orders-1" })),
        'databases[0].backup.pointInTimeRecovery: must name one RDS cluster or instance: {rdsCluster: <identifier>} or {rdsInstance: <identifier>} (got {"rdsCluster":"orders","rdsInstance":"orders-1"})',
      ],
      [
        "a secret pasted into an app's plain env, by its name",
        "production",
        (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].env = { API_KEY: "hunter2-SeCrEt-1234567890" })),
        `apps[0].env.API_KEY: looks like a secret (by its name), ${PLAIN_ENV_SECRET_ADVICE("API_KEY")}`,
      ],
      [
        "a secret pasted into an app's plain env, by its shape",
        "staging",
        (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].env = { NOTIFY: "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX" })),
        `apps[0].env.NOTIFY: holds a Slack webhook URL, ${PLAIN_ENV_SECRET_ADVICE("NOTIFY")}`,
      ],
      [
        "ports no TCP connection can use: an SMTP relay's 0, a runbook URL's 70000",
        "production",
        (v) => {
          v.smtpSmarthost = "smtp.example.com:0";
          v.runbookBaseUrl = "https://git.example.com:70000/runbooks";
        },
        [
          'smtpSmarthost: must name a port from 1 to 65535, e.g. smtp.example.com:587 (got "smtp.example.com:0")',
          'runbookBaseUrl: must name a port from 1 to 65535, if it names one (got "https://git.example.com:70000/runbooks")',
        ],
      ],
      [
        "ports of six digits, past 65535: an SMTP relay's and a runbook URL's",
        "staging",
        (v) => {
          v.smtpSmarthost = "smtp.example.com:100025";
          v.runbookBaseUrl = "https://git.example.com:700000/runbooks";
        },
        [
          'smtpSmarthost: must name a port from 1 to 65535, e.g. smtp.example.com:587 (got "smtp.example.com:100025")',
          'runbookBaseUrl: must name a port from 1 to 65535, if it names one (got "https://git.example.com:700000/runbooks")',
        ],
      ],
      ["an SMTP relay's port past 65535", "staging", (v) => (v.smtpSmarthost = "smtp.example.com:99999"), 'smtpSmarthost: must name a port from 1 to 65535, e.g. smtp.example.com:587 (got "smtp.example.com:99999")'],
      [
        "volumes of no storage, which the API server refuses",
        "staging",
        (v) => {
          editJsonKey<any>(v, "monitoring", (m) => (m.alertmanager.storageSize = "0"));
          editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].backup.dumpVolumeSize = "0Gi"));
        },
        [
          'monitoring.alertmanager.storageSize: must be a volume size above zero such as 20Gi: the API server refuses a claim of no storage (got "0")',
          'databases[0].backup.dumpVolumeSize: must be a volume size above zero such as 20Gi: the API server refuses a claim of no storage (got "0Gi")',
        ],
      ],
      [
        // cron-validate compares numbers only: MON-SUN (1-0) passed it and was reported as a schedule that never runs.
        "a day-of-week range that ends before it starts, and a macro Kubernetes refuses",
        "production",
        (v) => {
          v.backupSchedule = "0 2 * * MON-SUN";
          v.restoreDrillSchedule = "@reboot";
        },
        [
          'backupSchedule: is not a CronJob schedule the platform takes: range MON-SUN of the day-of-week field ends before it starts (1-0, Sunday being 0); Kubernetes refuses it (got "0 2 * * MON-SUN")',
          `restoreDrillSchedule: is not a CronJob schedule the platform takes: Kubernetes does not take @reboot: use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or five fields (minute hour day-of-month month day-of-week) (got "@reboot")`,
        ],
      ],
      [
        "a schedule of @every, which Kubernetes takes and the backup checks cannot reckon",
        "production",
        (v) => (v.backupSchedule = "@every 24h"),
        'backupSchedule: is not a CronJob schedule the platform takes: Kubernetes takes @every, but the backup and drill checks reckon a schedule\'s runs from a calendar: use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or five fields (minute hour day-of-month month day-of-week) (got "@every 24h")',
      ],
      ["a month range that ends before it starts", "staging", (v) => (v.restoreDrillSchedule = "0 5 * dec-jan 0"), 'restoreDrillSchedule: is not a CronJob schedule the platform takes: range dec-jan of the month field ends before it starts (12-1); Kubernetes refuses it (got "0 5 * dec-jan 0")'],
      [
        "a Cyrillic а in a key's name, which reads as the key it spoils",
        "staging",
        (v) => (v["te\u0430m"] = "platform"),
        `te\u0430m: unknown key (check the spelling; Pulumi.yaml lists every key); its name holds ${HIDDEN("U+0430 at character 3")}: retype the name`,
      ],
      [
        "a nested key with a no-break space after it, and a look-alike letter in a namespace's name",
        "production",
        (v) =>
          editJsonKey<any[]>(v, "namespaces", (ns) => {
            ns[0].limitRange["defaultRequest\u00a0"] = ns[0].limitRange.defaultRequest;
            delete ns[0].limitRange.defaultRequest;
            ns[2].name = "b\u0430ckups";
          }),
        [
          "namespaces[0].limitRange.defaultRequest: is required but not set",
          `namespaces[0].limitRange.defaultRequest\u00a0: unknown key (check the spelling; Pulumi.yaml lists every key); its name holds ${HIDDEN("U+00A0 at character 15")}: retype the name`,
          `namespaces[2].name: must be a DNS label (namespace: lower-case letters, digits and '-', at most 63) (got "b\u0430ckups"); it holds ${HIDDEN("U+0430 at character 2")}: retype it`,
        ],
      ],
      [
        "a webhook URL pasted into slackChannel, a GitHub token into kubeContext: never quoted",
        "staging",
        (v) => {
          v.slackChannel = "https://hooks.slack.com/services/T0HUNTER2/B0HUNTER2/hunter2hunter2hunter2XY";
          v.kubeContext = `ghp_${"HUNTER2".repeat(6)}`;
        },
        [`kubeContext: holds a secret (GitHub token), ${PASTED_SECRET_ADVICE}`, `slackChannel: holds a secret (Slack webhook URL), ${PASTED_SECRET_ADVICE}`],
      ],
      [
        "a database URL with its password pasted as a database's host, a Slack token as a namespace's team, a webhook into runbookBaseUrl: never quoted",
        "production",
        (v) => {
          editJsonKey<any[]>(v, "databases", (dbs) => (dbs[0].host = "postgres://backup:hunter2@orders.example.com:5432/orders"));
          editJsonKey<any[]>(v, "namespaces", (ns) => (ns[1].team = "xoxb-1234567890-hunter2hunter2"));
          v.runbookBaseUrl = "https://hooks.slack.com/services/T0HUNTER2/B0HUNTER2/hunter2hunter2hunter2XY";
        },
        [
          `databases[0].host: holds a secret (URL with an embedded password), ${PASTED_SECRET_ADVICE}`,
          `namespaces[1].team: holds a secret (Slack token), ${PASTED_SECRET_ADVICE}`,
          `runbookBaseUrl: holds a secret (Slack webhook URL), ${PASTED_SECRET_ADVICE}`,
        ],
      ],
    ];

    for (const [kind, stack, edit, expected] of cases) {
      it(`${kind} (${stack})`, () => {
        expect(problemsOf(stack, edit)).to.deep.equal(Array.isArray(expected) ? expected : [expected]);
      });
    }

    it("never quotes an env value that looks like a secret, whatever else is wrong with the entry (both stacks)", () => {
      const pasted = "hunter2-SeCrEt-1234567890";
      const webhook = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXX";
      for (const stack of STACKS) {
        const problems = problemsOf(stack, (v) =>
          editJsonKey<any[]>(v, "apps", (apps) => (apps[0].env = { "API-KEY": pasted, PAYMENTS_API_KEY: pasted, LOG_LEVEL: webhook })),
        );
        expect(problems.map((p) => p.slice(0, p.indexOf(":"))), stack).to.deep.equal([
          "apps[0].env.API-KEY",
          "apps[0].env.LOG_LEVEL",
          "apps[0].env.API-KEY",
          "apps[0].env.PAYMENTS_API_KEY",
          "apps[0].env.LOG_LEVEL",
          "apps[0].env.PAYMENTS_API_KEY",
        ]);
        expect(problems.join("\n"), stack).to.not.contain(pasted).and.to.not.contain("hooks.slack.com");
      }
    });

    it("a scrape interval of 1m is taken, in both stacks", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack, (v) => editJsonKey<any>(v, "monitoring", (m) => (m.prometheus.scrapeInterval = "1m"))));
        expect(s.monitoring.prometheus.scrapeInterval, stack).to.equal("1m");
      }
    });

    it("staging takes fewer nodes than Alertmanager replicas: it spreads them where it can (soft anti-affinity)", () => {
      const s = parseStackSettings(
        "staging",
        rawConfig("staging", (v) => {
          editJsonKey<any>(v, "monitoring", (m) => (m.alertmanager.replicas = 3));
          v.maxNodes = "2";
        }),
      );
      expect([s.monitoring.alertmanager.replicas, s.maxNodes]).to.deep.equal([3, 2]);
    });

    it("plain settings in an app's env are no secrets, in both stacks", () => {
      const env = {
        API_BASE_URL: "https://payments.example.com/v2",
        DATABASE_HOST: "orders.cluster-abc.eu-west-1.rds.amazonaws.com",
        PASSWORD_MIN_LENGTH: "12",
        TOKEN_TTL: "15m",
        SECRET_NAME: "api-credentials",
        CACHE_KEY_PREFIX: "api:",
        DB_PASSWORD: "$(DATABASE_PASSWORD)",
        FEATURE_FLAGS: "checkout-v2,search",
      };
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack, (v) => editJsonKey<any[]>(v, "apps", (apps) => (apps[0].env = env))));
        expect(s.apps[0].env, stack).to.deep.equal(env);
      }
    });

    it("several problems come back together in one message", () => {
      try {
        parseStackSettings(
          "production",
          rawConfig("production", (v) => {
            v.logLevel = "LOUD";
            v.backupSchedule = "whenever";
            v.retention = "30d";
          }),
        );
        expect.fail("should throw");
      } catch (err) {
        const message = (err as Error).message;
        expect(message).to.match(/^Invalid configuration for stack "production" \(3 problems\):/);
        expect(message).to.contain("  - logLevel: ");
        expect(message).to.contain("  - backupSchedule: is not a CronJob schedule the platform takes");
        expect(message).to.contain("  - retention: unknown key");
      }
    });

    it("a schema error does not hide the checks across the keys that did validate: all come back at once", () => {
      expect(
        problemsOf("production", (v) => {
          v.logLevel = "LOUD";
          editJsonKey<any[]>(v, "apps", (apps) => (apps[0].images.green = "ghcr.io/example/api:latest"));
          v.certificateIssuer = "staging";
          v.backupSchedule = "0 2 * * 0";
          editJsonKey<any[]>(v, "namespaces", (ns) => (ns[2].egress.namespaces = ["billing"]));
        }),
      ).to.deep.equal([
        'logLevel: expected one of "DEBUG"|"INFO"|"WARNING"|"ERROR" (got "LOUD")',
        'apps[0].images.green: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed (got "ghcr.io/example/api:latest")',
        'certificateIssuer: production must use the production issuer (Let\'s Encrypt\'s production ACME endpoint); staging certificates are trusted by no browser (got "staging")',
        'alertThresholds.backups.maxAge: 29h is shorter than a healthy backup of "orders" may take to succeed again, 173h: backupSchedule runs up to 168h apart, the CronJob may start a run up to 1h late (startingDeadlineSeconds) and the run may take 4h with its retry (4h, the default); BackupTooOld would page for a late but healthy backup: raise maxAge to at least 173h, back up more often or shorten the run deadline',
        'namespaces[2].egress.namespaces[0]: "billing" is neither a configured namespace nor kube-system',
      ]);
    });

    it("a check runs on the keys it needs that validated, skipping only what needs a broken one", () => {
      // The apps are broken (a mutable image), the namespaces are not: the node agents' checks still see them.
      expect(
        problemsOf("staging", (v) => {
          editJsonKey<any[]>(v, "apps", (apps) => (apps[0].images.green = "ghcr.io/example/api:latest"));
          v.nodeAgentsNamespace = "monitoring";
        }),
      ).to.deep.equal([
        'apps[0].images.green: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed (got "ghcr.io/example/api:latest")',
        'nodeAgentsNamespace: must not be the monitoring namespace: the node agents need host access (PSA privileged), which the monitoring workloads must not have (got "monitoring")',
      ]);
      // alertThresholds is broken: a schedule that never runs is wrong whatever its maximum age.
      expect(
        problemsOf("production", (v) => {
          editJsonKey<any>(v, "alertThresholds", (t) => (t.backups.maxAge = "a day"));
          v.backupSchedule = "0 3 31 2 *";
        }),
      ).to.deep.equal(['alertThresholds.backups.maxAge: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "a day")', 'backupSchedule: never runs: no date matches "0 3 31 2 *"']);
    });

    it("a broken key sets off no follow-on report in the checks that need it", () => {
      // Without its namespaces list, no namespace reference can be judged: no "is not one of the configured
      // namespaces" for the monitoring, backup and node agents' namespaces or the app, no missing platform namespace.
      expect(problemsOf("production", (v) => editJsonKey<any[]>(v, "namespaces", (ns) => (ns[0].quota.pods = 0)))).to.deep.equal([
        "namespaces[0].quota.pods: Too small: expected number to be >=1 (got 0)",
      ]);
      expect(problemsOf("staging", (v) => (v.namespaces = "[]"))).to.deep.equal(["namespaces: must list at least one namespace (got [])"]);
      // A kubeContext naming another account is compared with the account only when awsAccountId is one.
      expect(
        problemsOf("production", (v) => {
          v.awsAccountId = "12345678901";
          v.kubeContext = "arn:aws:eks:eu-west-1:210987654321:cluster/prod-eu-west-1";
        }),
      ).to.deep.equal(['awsAccountId: must be a 12-digit AWS account id, quoted in YAML (e.g. "012345678901") (got "12345678901")']);
      // An environment that is none: no production-only check, no staging-only leniency.
      expect(problemsOf("production", (v) => (v.environment = "prod"))).to.deep.equal(['environment: expected one of "staging"|"production" (got "prod")']);
    });

    it("a replica region that is the stack's own region is refused before any resource is registered", async () => {
      const stackFile = editedStackFile("production", (config) => (config["platform:backupReplicaRegion"] = config["aws:region"]));
      const error = await programFailure("production", { stackFile });
      expect(error.message).to.contain(
        'Invalid configuration for stack "production" (1 problem):\n  - backupReplicaRegion: is the stack\'s own region (aws:region eu-west-1); the off-site replica needs a second region',
      );
      expect(recorder.list()).to.deep.equal([]);
    });

    it("typos AWS or the engine would only meet at apply time, or never: a region's compass direction, a namespace's spelling", async () => {
      const stackFile = editedStackFile("production", (config) => {
        config["aws:region"] = "eu-wset-1";
        config["platform:backupReplicaRegion"] = "eu-centrl-1";
        config["platfrom:logLevel"] = "DEBUG";
      });
      const error = await programFailure("production", { stackFile });
      expect(error.message).to.equal(
        'Invalid configuration for stack "production" (3 problems):\n' +
          '  - backupReplicaRegion: must be an AWS region such as eu-central-1, or empty for no replica (got "eu-centrl-1")\n' +
          '  - platfrom:logLevel: unknown key: no package of this program reads the namespace "platfrom" (platform, aws, kubernetes, pulumi)\n' +
          "  - aws:region: must be an AWS region such as eu-west-1 (the value is not repeated here, as it looks like no region)",
      );
      expect(recorder.list()).to.deep.equal([]);
    });

    it("the program registers no resource at all when the config is invalid", async () => {
      const stackFile = editedStackFile("production", (config) => (config["platform:logLevel"] = "LOUD"));
      const error = await programFailure("production", { stackFile });
      expect(error.message).to.contain('Invalid configuration for stack "production" (1 problem):\n  - logLevel: expected one of');
      expect(recorder.list()).to.deep.equal([]);
    });
  });
});
