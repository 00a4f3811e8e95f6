import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { recorder } from "../../plan/mocks";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { parseStackSettings, PlatformConfigError, type RawStackConfig } from "../../stacks/parse";
import { StackSettingsSchema } from "../../stacks/schema";
import { committedRawConfig, STACKS, type StackName } from "../harness";

/** The committed stack file as the engine would pass it, after `edit` changed the unqualified keys. */
function rawConfig(stack: StackName, edit: (values: Record<string, string>, secrets: Set<string>) => void = () => {}): RawStackConfig {
  const { values, secretKeys } = committedRawConfig(stack);
  const editable = { ...values };
  const secrets = new Set(secretKeys);
  edit(editable, secrets);
  return { values: editable, secretKeys: secrets };
}

function problemsOf(stack: StackName, edit: (values: Record<string, string>, secrets: Set<string>) => void): string[] {
  try {
    parseStackSettings(stack, rawConfig(stack, edit));
  } catch (err) {
    expect(err).to.be.instanceOf(PlatformConfigError);
    return (err as PlatformConfigError).problems.map((p) => `${p.path}: ${p.reason}`);
  }
  throw new Error("expected the configuration to be rejected");
}

function editDatabases(values: Record<string, string>, change: (databases: any[]) => void): void {
  const databases = JSON.parse(values.databases);
  change(databases);
  values.databases = JSON.stringify(databases);
}

function editNamespaces(values: Record<string, string>, change: (namespaces: any[]) => void): void {
  const namespaces = JSON.parse(values.namespaces);
  change(namespaces);
  values.namespaces = JSON.stringify(namespaces);
}

describe("stack configuration", () => {
  describe("the committed stack files", () => {
    it("staging: DEBUG logs, 50 % tracing, 7-day retention, backups at 03:00, never pages", () => {
      const s = parseStackSettings("staging", rawConfig("staging"));
      expect(s).to.include({
        environment: "staging",
        logLevel: "DEBUG",
        traceSamplingPercent: 50,
        metricsRetention: "7d",
        logRetention: "7d",
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

    it("production: INFO logs, 10 % tracing, 30-day retention, backups at 02:00, pages", () => {
      const s = parseStackSettings("production", rawConfig("production"));
      expect(s).to.include({
        environment: "production",
        logLevel: "INFO",
        traceSamplingPercent: 10,
        metricsRetention: "30d",
        logRetention: "30d",
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

    it("production gets larger quotas than staging in every namespace", () => {
      const staging = parseStackSettings("staging", rawConfig("staging"));
      const production = parseStackSettings("production", rawConfig("production"));
      expect(production.namespaces.map((n) => n.name)).to.deep.equal(staging.namespaces.map((n) => n.name));
      production.namespaces.forEach((ns, i) => {
        expect(ns.quota.pods, ns.name).to.be.greaterThan(staging.namespaces[i].quota.pods);
        expect(parseFloat(ns.quota.requestsCpu), ns.name).to.be.greaterThan(parseFloat(staging.namespaces[i].quota.requestsCpu));
      });
    });

    it("defaults declared in Pulumi.yaml are merged like the CLI does (team, namespaces of monitoring and ingress)", () => {
      for (const stack of STACKS) {
        const s = parseStackSettings(stack, rawConfig(stack));
        expect(s.monitoringNamespace).to.equal("monitoring");
        expect(s.ingressControllerNamespace).to.equal("ingress-nginx");
      }
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
        (v) => editNamespaces(v, (ns) => (ns[1].quota.podz = 3)),
        "namespaces[1].quota.podz: unknown key (check the spelling; Pulumi.yaml lists every key)",
      ],
      ["bad enum", "staging", (v) => (v.logLevel = "VERBOSE"), 'logLevel: expected one of "DEBUG"|"INFO"|"WARNING"|"ERROR" (got "VERBOSE")'],
      [
        "bad nested enum",
        "production",
        (v) => editNamespaces(v, (ns) => (ns[0].podSecurity = "open")),
        'namespaces[0].podSecurity: expected one of "privileged"|"baseline"|"restricted" (got "open")',
      ],
      [
        "malformed cron",
        "production",
        (v) => (v.backupSchedule = "0 25 * * *"),
        "backupSchedule: is not a Kubernetes CronJob schedule: Number '25' of hours field is bigger than upper limit '23'. (got \"0 25 * * *\")",
      ],
      [
        "cron with seconds",
        "staging",
        (v) => (v.backupSchedule = "0 0 3 * * *"),
        'backupSchedule: is not a Kubernetes CronJob schedule: a Kubernetes schedule has exactly five fields (minute hour day-of-month month day-of-week) (got "0 0 3 * * *")',
      ],
      ["malformed duration", "staging", (v) => (v.metricsRetention = "30 days"), 'metricsRetention: must be a Prometheus duration such as 30s, 5m, 12h or 30d (got "30 days")'],
      ["retention not in whole days", "production", (v) => (v.logRetention = "36h"), 'logRetention: must be a whole number of days, e.g. 7d or 30d (got "36h")'],
      ["bad quantity", "staging", (v) => editNamespaces(v, (ns) => (ns[2].quota.requestsCpu = "lots")), 'namespaces[2].quota.requestsCpu: must be a Kubernetes quantity such as 250m, 2, 512Mi or 4Gi (got "lots")'],
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
        "paging without a routing key",
        "staging",
        (v) => (v.pagerdutyEnabled = "true"),
        "pagerdutyRoutingKey: secret is required in staging: pulumi config set --secret pagerdutyRoutingKey <value>",
      ],
      [
        "secret stored in plain text",
        "production",
        (_v, s) => s.delete("slackWebhookUrl"),
        "slackWebhookUrl: is stored in plain text; set it again with pulumi config set --secret slackWebhookUrl <value>",
      ],
      ["duplicate namespace", "staging", (v) => editNamespaces(v, (ns) => ns.push({ ...ns[1] })), 'namespaces[3].name: duplicate namespace "apps"'],
      [
        "monitoring namespace not configured",
        "staging",
        (v) => (v.monitoringNamespace = "observability"),
        'monitoringNamespace: "observability" is not one of the configured namespaces (monitoring, apps, backups)',
      ],
      [
        "egress to an unknown namespace",
        "production",
        (v) => editNamespaces(v, (ns) => (ns[2].egress.namespaces = ["billing"])),
        'namespaces[2].egress.namespaces[0]: "billing" is neither a configured namespace, kube-system, nor the ingress controller\'s namespace "ingress-nginx"',
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
        "monitoring.grafana.replicas: must be 1 (Grafana state lives in SQLite on a ReadWriteOnce volume) (got 2)",
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
        'apps[0].images.green: must be an immutable image reference (a version tag like 1.4.2 or a digest); "latest" is not allowed (got "ghcr.io/example/api:latest")',
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
      ["no backup kept", "staging", (v) => (v.backupKeepLast = "0"), "backupKeepLast: must keep at least one complete backup (got 0)"],
      ["backups kept not a whole number", "production", (v) => (v.backupKeepLast = "2.5"), "backupKeepLast: expected int, received number (got 2.5)"],
      ["replica region malformed", "staging", (v) => (v.backupReplicaRegion = "eu-central"), 'backupReplicaRegion: must be an AWS region such as eu-central-1, or empty for no replica (got "eu-central")'],
      [
        "production without an off-site replica",
        "production",
        (v) => (v.backupReplicaRegion = ""),
        "backupReplicaRegion: production keeps an off-site copy of its backups: set a second AWS region, e.g. eu-central-1",
      ],
      ["recovery time objective malformed", "production", (v) => (v.recoveryTimeObjective = "4 hours"), 'recoveryTimeObjective: must be a Prometheus duration such as 30s, 5m, 12h or 30d (got "4 hours")'],
      [
        "backups further apart than BackupTooOld's maximum age",
        "production",
        (v) => (v.backupSchedule = "0 2 * * 0"),
        "backupSchedule: runs up to 168h apart, longer than alertThresholds.backups.maxAge (26h): BackupTooOld would fire between runs; back up more often or raise maxAge",
      ],
      ["a backup schedule that never runs", "staging", (v) => (v.backupSchedule = "0 3 31 2 *"), 'backupSchedule: never runs: no date matches "0 3 31 2 *"'],
      [
        "point-in-time recovery with a malformed identifier",
        "production",
        (v) => editDatabases(v, (dbs) => (dbs[0].backup.pointInTimeRecovery = { rdsCluster: "Orders_DB" })),
        'databases[0].backup.pointInTimeRecovery.rdsCluster: must be an RDS identifier such as orders-db (lower-case letters, digits, single hyphens) (got "Orders_DB")',
      ],
      [
        "point-in-time recovery naming both a cluster and an instance",
        "production",
        (v) => editDatabases(v, (dbs) => (dbs[0].backup.pointInTimeRecovery = { rdsCluster: "orders", rdsInstance: "orders-1" })),
        'databases[0].backup.pointInTimeRecovery: must name one RDS cluster or instance: {rdsCluster: <identifier>} or {rdsInstance: <identifier>} (got {"rdsCluster":"orders","rdsInstance":"orders-1"})',
      ],
    ];

    for (const [kind, stack, edit, expected] of cases) {
      it(`${kind} (${stack})`, () => {
        expect(problemsOf(stack, edit)).to.deep.equal(Array.isArray(expected) ? expected : [expected]);
      });
    }

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
        expect(message).to.contain("  - backupSchedule: is not a Kubernetes CronJob schedule");
        expect(message).to.contain("  - retention: unknown key");
      }
    });

    it("a replica region that is the stack's own region is refused before any resource is registered", async () => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "platform-config-")), "Pulumi.production.yaml");
      const stackFile = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8"));
      stackFile.config["platform:backupReplicaRegion"] = stackFile.config["aws:region"];
      fs.writeFileSync(file, stringify(stackFile));
      let error: Error | undefined;
      try {
        await runProgram("production", { stackFile: file });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).to.contain(
        'Invalid configuration for stack "production" (1 problem):\n  - backupReplicaRegion: is the stack\'s own region (aws:region eu-west-1); the off-site replica needs a second region',
      );
      expect(recorder.list()).to.deep.equal([]);
    });

    it("the program registers no resource at all when the config is invalid", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-config-"));
      const file = path.join(dir, "Pulumi.production.yaml");
      const stackFile = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.production.yaml"), "utf8"));
      stackFile.config["platform:logLevel"] = "LOUD";
      fs.writeFileSync(file, stringify(stackFile));
      let error: Error | undefined;
      try {
        await runProgram("production", { stackFile: file });
      } catch (err) {
        error = err as Error;
      }
      expect(error?.message).to.contain('Invalid configuration for stack "production" (1 problem):\n  - logLevel: expected one of');
      expect(recorder.list()).to.deep.equal([]);
    });
  });
});
