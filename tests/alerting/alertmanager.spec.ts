import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { parse } from "yaml";
import {
  type AlertIdentity,
  type AlertRoutingInput,
  AlertmanagerConfigSecret,
  alertmanagerConfig,
  alertmanagerConfigSecretManifest,
  alertmanagerConfigYaml,
  MIXIN_IDENTITY,
  REDACTED,
  type ReceiverSecrets,
  redactedRouting,
  ROUTING_ANNOTATION,
} from "../../components/alerting/alertmanager";
import { platformAlerts } from "../../components/alerting/rules";
import { alertmanagerConfigSecretValues } from "../../components/core/alertmanager-config-secret";
import { SECRET_PLACEHOLDER, settle, useMockStack } from "../../plan/mocks";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { readStackConfig } from "../../plan/stack-file";
import { AlertRoutingSchema } from "../../stacks/alert-routing-schema";
import { committedSettings, STACKS, type StackName } from "../harness";
import { freePort, listenOnLoopback } from "../processes";
import { AMTOOL, amtool, routesTest } from "../amtool";
import { expectedRoutes, TEAMS } from "./fixtures/routes";
import { rulesContext, stackThresholds } from "./fixtures/thresholds";
import { runTempDir } from "../temp-dirs";

/**
 * Alertmanager to run: $ALERTMANAGER, else Debian's 0.25. Unlike amtool, the server cannot be built with
 * `go install` (v0.34's module lacks the web UI assets it embeds), so there is no ~/go/bin candidate.
 */
const ALERTMANAGER = process.env.ALERTMANAGER ?? "/usr/bin/prometheus-alertmanager";

/** The `platform:alertRouting` of a committed stack file, as the engine would pass it (unvalidated). */
function committedRouting(stack: StackName): unknown {
  const routing = readStackConfig(REPOSITORY_ROOT, stack).values["platform:alertRouting"];
  if (routing === undefined) throw new Error(`Pulumi.${stack}.yaml has no platform:alertRouting`);
  return JSON.parse(routing);
}

/** What the Alertmanager configuration reads from a committed stack file: its validated settings. */
function stackInput(stack: StackName): AlertRoutingInput {
  return committedSettings(stack);
}

/** Placeholder credentials, distinctive enough that finding one anywhere else is a leak. */
function stackSecrets(stack: StackName): Required<ReceiverSecrets> {
  return {
    slackWebhookUrl: `https://hooks.slack.com/services/T000/B000/${stack}-placeholder-webhook`,
    smtpPassword: `${stack}-placeholder-smtp-password`,
    // Set in staging too: staging must ignore it.
    pagerdutyRoutingKey: `${stack}-placeholder-pagerduty-routing-key`,
    heartbeatUrl: `https://hc-ping.com/${stack}-placeholder-heartbeat`,
  };
}

/** The stack's alert rules, whose identities scope inhibition. */
function stackAlerts(stack: StackName): AlertIdentity[] {
  return platformAlerts(stackThresholds(stack), rulesContext(stack));
}

const SCRATCH = runTempDir("alertmanager-spec-");

/** Writes a configuration to its own folder (Alertmanager also keeps its state next to it). */
function writeConfig(text: string): string {
  const dir = fs.mkdtempSync(path.join(SCRATCH, "config-"));
  const file = path.join(dir, "alertmanager.yaml");
  fs.writeFileSync(file, text);
  return file;
}

/** Formats a zod issue the way stacks/parse.ts reports it: key path, then message. */
function problems(value: unknown): string[] {
  const result = AlertRoutingSchema.safeParse(value);
  expect(result.success, "expected the routing settings to be rejected").to.equal(false);
  return result.error!.issues.map((issue) => {
    const where = issue.path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("");
    return `${where}: ${issue.message}`;
  });
}

describe("Alertmanager configuration", () => {
  describe("AlertRoutingSchema (platform:alertRouting)", () => {
    const valid = () => committedRouting("production") as any;

    it("accepts both stacks' settings and keeps every team in order", () => {
      for (const stack of STACKS) {
        const routing = AlertRoutingSchema.parse(committedRouting(stack));
        expect(routing.teams.map((t) => t.name), stack).to.deep.equal([...TEAMS]);
        expect(routing.timing.critical, stack).to.deep.equal({ groupWait: "5s", groupInterval: "5m", repeatInterval: "1h" });
      }
    });

    const cases: [string, (r: any) => void, string[]][] = [
      ["unknown team field (typo)", (r) => (r.teams[0].slackChanel = "#db"), ['teams[0]: Unrecognized key: "slackChanel"']],
      ["unknown timing severity", (r) => (r.timing.page = r.timing.critical), ['timing: Unrecognized key: "page"']],
      ["channel without #", (r) => (r.teams[1].slackChannel = "alerts-security"), ["teams[1].slackChannel: must be a Slack channel such as #alerts"]],
      ["channel with upper case and spaces", (r) => (r.teams[1].slackChannel = "#Security Alerts"), ["teams[1].slackChannel: must be a Slack channel such as #alerts"]],
      ["bad email", (r) => (r.teams[2].email = "data-engineering"), ["teams[2].email: must be an email address"]],
      [
        "team name that is not a label value",
        (r) => (r.teams[2].name = "Data Engineering"),
        ["teams[2].name: must be a DNS label (team: lower-case letters, digits and '-', at most 63)"],
      ],
      ["duplicate team", (r) => (r.teams[3].name = "database"), ["teams[3].name: duplicate team; list each team once"]],
      ["malformed duration", (r) => (r.timing.warning.repeatInterval = "6 hours"), ["timing.warning.repeatInterval: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d"]],
      [
        "repeat shorter than group interval",
        (r) => (r.timing.critical.repeatInterval = "1m"),
        ["timing.critical.repeatInterval: must not be shorter than groupInterval (5m); Alertmanager only repeats on a group_interval tick"],
      ],
      ["missing team email", (r) => delete r.teams[0].email, ["teams[0].email: must be an email address"]],
      ["missing timing", (r) => delete r.timing, ["timing: Invalid input: expected object, received undefined"]],
    ];
    for (const [kind, edit, expected] of cases) {
      it(`rejects ${kind}`, () => {
        const routing = valid();
        edit(routing);
        expect(problems(routing)).to.deep.equal(expected);
      });
    }
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      const input = stackInput(stack);
      const secrets = stackSecrets(stack);
      const alerts = stackAlerts(stack);
      const text = alertmanagerConfigYaml(input, secrets, alerts);
      const file = writeConfig(text);
      const pages = stack === "production";

      it("reads the stack file: production pages oncall@, staging mails platform-team@ and never pages", () => {
        const { environment, clusterName, slackChannel, alertEmailTo, alertEmailFrom, smtpSmarthost, pagerdutyEnabled, alertRouting } = input;
        expect({ environment, clusterName, slackChannel, alertEmailTo, alertEmailFrom, smtpSmarthost, pagerdutyEnabled }).to.deep.equal(
          pages
            ? {
                environment: "production",
                clusterName: "prod-eu-west-1",
                slackChannel: "#alerts-production",
                alertEmailTo: "oncall@example.com",
                alertEmailFrom: "alertmanager@platform.example.com",
                smtpSmarthost: "smtp.example.com:587",
                pagerdutyEnabled: true,
              }
            : {
                environment: "staging",
                clusterName: "staging-eu-west-1",
                slackChannel: "#alerts-staging",
                alertEmailTo: "platform-team@example.com",
                alertEmailFrom: "alertmanager@staging.platform.example.com",
                smtpSmarthost: "smtp.example.com:587",
                pagerdutyEnabled: false,
              },
        );
        expect(alertRouting.teams.map((t) => t.name)).to.deep.equal([...TEAMS]);
      });

      it(`amtool check-config accepts it (${AMTOOL})`, () => {
        const result = amtool(["check-config", file]);
        expect(result.status, result.stdout + result.stderr).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
        // Critical over warning for 5 alerts of two levels (node CPU has none), ServiceDown, EndpointDown, and the chart's rules.
        expect(result.stdout).to.contain(" - 8 inhibit rules");
        // default, null, heartbeat, slack, 4 teams, and in production pagerduty.
        expect(result.stdout).to.contain(` - ${pages ? 9 : 8} receivers`);
      });

      const routes = expectedRoutes(stack);
      for (const [what, labels, receivers] of routes) {
        it(`routes: ${what} → ${receivers}`, () => {
          const result = routesTest(file, labels, receivers);
          expect(result.status, result.stdout + result.stderr).to.equal(0);
          expect(result.stdout.trim()).to.equal(receivers);
        });
      }

      it("a route test expecting other receivers fails (the check can fail)", () => {
        const wrong = pages ? "slack,default" : "pagerduty,slack,default";
        const result = amtool(["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${wrong}`, "alertname=HighErrorRate", "severity=critical"]);
        expect(result.status).to.equal(1);
        expect(result.stdout).to.contain("WARNING: Expected receivers did not match resolved receivers.");
      });

      it("groups by alertname, namespace, service, database, critical alerts by instance too; critical waits 5s and repeats hourly, warning 30s and 6h; the heartbeat every minute", () => {
        const route = alertmanagerConfig(input, secrets, alerts).route;
        expect(route.routes![0]).to.deep.equal({
          matchers: ['alertname="Watchdog"'],
          receiver: "heartbeat",
          group_by: ["alertname"],
          group_wait: "10s",
          group_interval: "30s",
          repeat_interval: "1m",
        });
        expect(route).to.include({ receiver: "default", group_wait: "30s", group_interval: "5m", repeat_interval: "12h" });
        // The backup alerts have no service: per database, or two databases' BackupTooOld would be one incident with no common database.
        expect(route.group_by).to.deep.equal(["alertname", "namespace", "service", "database"]);
        const bySeverity = (routes: typeof route.routes, severity: string) => routes!.find((r) => r.matchers?.[0] === `severity="${severity}"`)!;
        for (const routes of [route.routes, ...route.routes!.filter((r) => r.matchers?.[0].startsWith("team=")).map((r) => r.routes)]) {
          expect(bySeverity(routes, "critical")).to.include({ group_wait: "5s", group_interval: "5m", repeat_interval: "1h" });
          // A group is one PagerDuty incident: each node, endpoint or certificate that fails pages on its own.
          expect(bySeverity(routes, "critical").group_by).to.deep.equal(["alertname", "namespace", "service", "database", "instance"]);
          expect(bySeverity(routes, "warning")).to.include({ group_wait: "30s", group_interval: "5m", repeat_interval: "6h" });
          expect(bySeverity(routes, "warning")).to.not.have.property("group_by");
        }
        expect(route.routes!.filter((r) => r.matchers?.[0].startsWith("team=")).map((r) => r.matchers)).to.deep.equal(TEAMS.map((t) => [`team="${t}"`]));
      });

      it("scopes every inhibit rule to the labels that identify the failing thing: the node, the filesystem, the probe, the service, the SLO", () => {
        const rules = (parse(text) as { inhibit_rules: unknown }).inhibit_rules;
        const level = (alert: string, equal: string[]) => ({
          source_matchers: [`alertname="${alert}"`, 'severity="critical"'],
          target_matchers: [`alertname="${alert}"`, 'severity=~"warning|info"'],
          equal,
        });
        const platform = `alertname!~"${[...new Set(alerts.map((a) => a.alert))].join("|")}"`;
        expect(rules).to.deep.equal([
          level("NodeHighMemoryUsage", ["instance"]),
          level("NodeHighDiskUsage", ["instance", "mountpoint"]),
          level("TLSCertificateExpiringSoon", ["job", "instance"]),
          // Per job: a job missing at one level never silences another job missing at the other.
          level("ScrapeTargetsMissing", ["job"]),
          level("ErrorBudgetBurn", ["namespace", "service", "slo"]),
          { source_matchers: ['alertname="ServiceDown"', 'service=~".+"'], target_matchers: ['alertname!="ServiceDown"'], equal: ["namespace", "service"] },
          { source_matchers: ['alertname="EndpointDown"'], target_matchers: ['alertname="EndpointAvailabilityLow"'], equal: ["namespace", "job", "instance", "service"] },
          { source_matchers: ['severity="critical"', platform], target_matchers: ['severity=~"warning|info"', platform], equal: ["alertname", ...MIXIN_IDENTITY] },
        ]);
        // No rule compares only labels an alert may lack: each names what it is about.
        for (const rule of rules as { equal: string[] }[]) expect(rule.equal.some((l) => !["alertname", "namespace", "service"].includes(l)) || rule.equal.join() === "namespace,service", JSON.stringify(rule)).to.equal(true);
      });

      it("refuses inhibition for rules of one name that disagree on what they identify", () => {
        const disagreeing = alerts.map((a) => (a.alert === "NodeHighDiskUsage" && a.labels.severity === "critical" ? { ...a, identity: ["instance"] } : a));
        expect(() => alertmanagerConfig(input, secrets, disagreeing)).to.throw("inhibition: the rules named NodeHighDiskUsage disagree on the labels that identify what fails");
      });

      it("posts the Watchdog to the heartbeat URL, never resolved (the heartbeat service only counts arrivals)", () => {
        const heartbeat = (parse(text) as any).receivers.find((r: { name: string }) => r.name === "heartbeat");
        expect(heartbeat).to.deep.equal({ name: "heartbeat", webhook_configs: [{ send_resolved: false, url: secrets.heartbeatUrl }] });
      });

      it("mails through the stack's relay as alertEmailFrom and posts with the stack's webhook", () => {
        const config = parse(text) as any;
        expect(config.global).to.deep.equal({
          resolve_timeout: "5m",
          smtp_smarthost: "smtp.example.com:587",
          smtp_from: input.alertEmailFrom,
          smtp_require_tls: true,
          smtp_auth_username: input.alertEmailFrom,
          smtp_auth_password: secrets.smtpPassword,
          slack_api_url: secrets.slackWebhookUrl,
        });
        const receiver = (name: string) => config.receivers.find((r: { name: string }) => r.name === name);
        expect(receiver("default").email_configs.map((c: { to: string }) => c.to)).to.deep.equal([input.alertEmailTo]);
        expect(receiver("slack").slack_configs.map((c: { channel: string }) => c.channel)).to.deep.equal([input.slackChannel]);
        expect(receiver("null")).to.deep.equal({ name: "null" });
        for (const team of input.alertRouting.teams) {
          const r = receiver(`${team.name}-team`);
          expect(r.slack_configs.map((c: { channel: string }) => c.channel), team.name).to.deep.equal([team.slackChannel]);
          expect(r.email_configs.map((c: { to: string }) => c.to), team.name).to.deep.equal([team.email]);
        }
        expect(receiver("slack").slack_configs[0].title).to.contain(`(${input.clusterName})`);
      });

      if (pages) {
        it("pages through PagerDuty Events v2 with the routing key, as critical, naming the cluster", () => {
          const pagerduty = (parse(text) as any).receivers.find((r: { name: string }) => r.name === "pagerduty");
          expect(pagerduty.pagerduty_configs).to.have.lengthOf(1);
          expect(pagerduty.pagerduty_configs[0]).to.include({ routing_key: secrets.pagerdutyRoutingKey, severity: "critical", send_resolved: true });
          expect(pagerduty.pagerduty_configs[0].details.cluster).to.equal("prod-eu-west-1");
        });

        it("refuses to build a paging production config without a routing key", () => {
          expect(() => alertmanagerConfig(input, { ...secrets, pagerdutyRoutingKey: undefined }, alerts)).to.throw(
            "pagerdutyRoutingKey: required when production pages (pagerdutyEnabled: true): pulumi config set --secret pagerdutyRoutingKey <value>",
          );
        });

        it("refuses to build a production config without the dead man's switch", () => {
          expect(() => alertmanagerConfig(input, { ...secrets, heartbeatUrl: undefined }, alerts)).to.throw(
            "heartbeatUrl: required in production, where nothing else notices a dead Prometheus or Alertmanager: pulumi config set --secret heartbeatUrl <value>",
          );
        });
      } else {
        it("never pages: no PagerDuty receiver or key even with pagerdutyEnabled and a routing key", () => {
          const paging = alertmanagerConfigYaml({ ...input, pagerdutyEnabled: true }, secrets, alerts);
          expect(paging).to.equal(text);
          expect(paging.toLowerCase()).to.not.contain("pagerduty");
          expect(paging).to.not.contain(secrets.pagerdutyRoutingKey);
        });

        it("without Slack, SMTP and heartbeat secrets routes the same, mails unauthenticated and posts nowhere", () => {
          const quiet = alertmanagerConfigYaml(input, {}, alerts);
          const result = amtool(["check-config", writeConfig(quiet)]);
          expect(result.status, result.stdout + result.stderr).to.equal(0);
          const config = parse(quiet) as any;
          expect(config.global).to.not.have.any.keys("slack_api_url", "smtp_auth_username", "smtp_auth_password");
          expect(config.receivers.find((r: { name: string }) => r.name === "slack")).to.deep.equal({ name: "slack" });
          expect(config.receivers.find((r: { name: string }) => r.name === "heartbeat")).to.deep.equal({ name: "heartbeat" });
          expect(config.route).to.deep.equal((parse(text) as any).route);
        });
      }

      it("keeps the credentials inside the rendered alertmanager.yaml of the Secret; its annotation shows the same routing without them", () => {
        const present = { slackWebhookUrl: true, smtpPassword: true, pagerdutyRoutingKey: true, heartbeatUrl: true };
        const routing = redactedRouting(input, present, alerts);
        const manifest = alertmanagerConfigSecretManifest("monitoring", stack, text, routing);
        const { stringData, ...rest } = manifest;
        expect(rest).to.deep.equal({
          apiVersion: "v1",
          kind: "Secret",
          metadata: {
            name: "alertmanager-platform-config",
            namespace: "monitoring",
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "platform", "platform.io/environment": stack },
            annotations: { [ROUTING_ANNOTATION]: routing },
          },
          type: "Opaque",
        });
        // The annotation is the rendered configuration with each credential replaced, and nothing else changed.
        const unredacted = JSON.parse(routing, (_key, value) =>
          value === REDACTED ? undefined : value,
        );
        const rendered = JSON.parse(JSON.stringify(parse(text)), (key, value) => (Object.values(secrets).includes(value) ? undefined : value));
        expect(unredacted).to.deep.equal(rendered);
        expect(routing.split(REDACTED).length - 1).to.equal(pages ? 4 : 3);
        expect(Object.keys(stringData)).to.deep.equal(["alertmanager.yaml"]);
        const outside = JSON.stringify([rest, alertmanagerConfigSecretValues()]);
        const expectedInside = pages ? Object.values(secrets) : [secrets.slackWebhookUrl, secrets.smtpPassword, secrets.heartbeatUrl];
        for (const value of Object.values(secrets)) expect(outside).to.not.contain(value);
        for (const value of expectedInside) expect(stringData["alertmanager.yaml"]).to.contain(value);
      });
    });
  }

  describe("in a running Alertmanager", () => {
    let alertmanager: ChildProcess | undefined;
    let api = "";
    let log = "";
    // Stands in for Slack's incoming webhook, on loopback: what Alertmanager posts, parsed.
    let slack: http.Server | undefined;
    const slackMessages: { channel: string; attachments: { title: string; text: string }[] }[] = [];

    interface ApiAlert {
      labels: Record<string, string>;
      fingerprint: string;
      status: { state: string; inhibitedBy: string[] };
    }
    const alerts = async (): Promise<ApiAlert[]> => (await fetch(`${api}/api/v2/alerts`)).json() as Promise<ApiAlert[]>;

    before(async () => {
      slack = http.createServer((req, res) => {
        const body: Buffer[] = [];
        req.on("data", (chunk: Buffer) => body.push(chunk));
        req.on("end", () => {
          slackMessages.push(JSON.parse(Buffer.concat(body).toString("utf8")));
          res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
        });
      });
      const slackUrl = `http://127.0.0.1:${await listenOnLoopback(slack)}/services/T000/B000/placeholder`;
      // Staging's real configuration (inhibition is the same in both stacks, asserted above) with Slack on the
      // loopback stand-in and SMTP on a closed loopback port: nothing may leave the machine.
      const closed = await freePort();
      const file = writeConfig(alertmanagerConfigYaml({ ...stackInput("staging"), smtpSmarthost: `127.0.0.1:${closed}` }, { slackWebhookUrl: slackUrl }, stackAlerts("staging")));
      const port = await freePort();
      api = `http://127.0.0.1:${port}`;
      const args = [`--config.file=${file}`, `--storage.path=${path.dirname(file)}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="];
      alertmanager = spawn(ALERTMANAGER, args, { stdio: ["ignore", "ignore", "pipe"] });
      alertmanager.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
      for (let attempt = 0; ; attempt++) {
        const ready = await fetch(`${api}/-/ready`).then((r) => r.ok, () => false);
        if (ready) break;
        if (attempt === 100 || alertmanager.exitCode !== null) throw new Error(`Alertmanager did not become ready:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    });

    after(async () => {
      if (alertmanager && alertmanager.exitCode === null) {
        const exited = new Promise((resolve) => alertmanager!.once("exit", resolve));
        alertmanager.kill("SIGTERM");
        await exited;
      }
      await new Promise((resolve) => (slack ? slack.close(resolve) : resolve(undefined)));
    });

    it("renders the Slack templates: status, alert name and cluster in the title; severity, service, summary and runbook in the text", async () => {
      const alert = {
        labels: { alertname: "SlackTemplateCheck", namespace: "apps", service: "orders", severity: "critical", team: "application" },
        annotations: {
          summary: "Every instance of a service is down.",
          description: "Prometheus has not scraped orders for 1m.",
          runbook_url: "https://github.com/example/platform/blob/main/components/alerting/runbooks/availability.md#servicedown",
        },
      };
      const posted = await fetch(`${api}/api/v2/alerts`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify([alert]) });
      expect(posted.status, await posted.text()).to.equal(200);
      // Critical alerts wait group_wait (5s) before the first notification.
      const mine = () => slackMessages.find((m) => m.attachments?.[0]?.title.includes("SlackTemplateCheck"));
      for (let attempt = 0; attempt < 300 && !mine(); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(mine(), `no Slack message arrived; Alertmanager log:\n${log}`).to.not.equal(undefined);
      expect(mine()!.channel).to.equal("#alerts-staging");
      expect(mine()!.attachments[0].title).to.equal("[FIRING:1] SlackTemplateCheck (staging-eu-west-1)");
      expect(mine()!.attachments[0].text).to.equal(
        "*CRITICAL* apps/orders: Every instance of a service is down.\n" +
          "Prometheus has not scraped orders for 1m.\n" +
          "Runbook: https://github.com/example/platform/blob/main/components/alerting/runbooks/availability.md#servicedown\n",
      );
    });

    it("a critical silences the warning and info of the same thing only: same node, filesystem, volume, service or SLO; ServiceDown its whole service, in its namespace", async () => {
      const node = (instance: string) => ({ instance, job: "node-exporter", namespace: "node-agents", service: "kube-prometheus-stack-prometheus-node-exporter" });
      const pvc = (persistentvolumeclaim: string) => ({ namespace: "monitoring", persistentvolumeclaim, job: "kubelet", service: "kube-prometheus-stack-kubelet" });
      const grafana = { namespace: "monitoring", job: "grafana-public", instance: "https://grafana.staging.platform.example.com/api/health" };
      // name → [alertname, severity, labels]
      const batch: Record<string, [string, string, Record<string, string>]> = {
        // Platform alerts at two levels, on two nodes: node A's critical silences node A's warning only.
        "memory A critical": ["NodeHighMemoryUsage", "critical", { instance: "10.0.1.12:9100" }],
        "memory A warning": ["NodeHighMemoryUsage", "warning", { instance: "10.0.1.12:9100" }],
        "memory B warning": ["NodeHighMemoryUsage", "warning", { instance: "10.0.1.13:9100" }],
        "disk A / critical": ["NodeHighDiskUsage", "critical", { instance: "10.0.1.12:9100", mountpoint: "/" }],
        "disk A /var warning": ["NodeHighDiskUsage", "warning", { instance: "10.0.1.12:9100", mountpoint: "/var/lib/kubelet" }],
        // One SLO's page silences its own ticket, not the other SLO's.
        "api availability page": ["ErrorBudgetBurn", "critical", { namespace: "apps", service: "api", slo: "availability" }],
        "api availability ticket": ["ErrorBudgetBurn", "warning", { namespace: "apps", service: "api", slo: "availability" }],
        "api latency ticket": ["ErrorBudgetBurn", "warning", { namespace: "apps", service: "api", slo: "latency" }],
        // The chart's own rules carry the scrape's namespace and service: node A still does not silence node B.
        "chart fs A critical": ["NodeFilesystemSpaceFillingUp", "critical", { ...node("10.0.1.12:9100"), device: "/dev/nvme0n1p1", mountpoint: "/" }],
        "chart fs A warning": ["NodeFilesystemSpaceFillingUp", "warning", { ...node("10.0.1.12:9100"), device: "/dev/nvme0n1p1", mountpoint: "/" }],
        "chart fs B warning": ["NodeFilesystemSpaceFillingUp", "warning", { ...node("10.0.1.13:9100"), device: "/dev/nvme0n1p1", mountpoint: "/" }],
        "chart pvc a critical": ["KubePersistentVolumeFillingUp", "critical", pvc("data-a")],
        "chart pvc a warning": ["KubePersistentVolumeFillingUp", "warning", pvc("data-a")],
        "chart pvc a info": ["KubePersistentVolumeFillingUp", "info", pvc("data-a")],
        "chart pvc b warning": ["KubePersistentVolumeFillingUp", "warning", pvc("data-b")],
        // ServiceDown silences every other alert of its service, and nothing of another.
        "web down": ["ServiceDown", "critical", { namespace: "apps", service: "web" }],
        "web slow": ["HttpSlowResponses", "warning", { namespace: "apps", service: "web" }],
        "web flapping": ["ServiceAvailabilityLow", "critical", { namespace: "apps", service: "web" }],
        "worker slow": ["HttpSlowResponses", "warning", { namespace: "apps", service: "worker" }],
        // Nor a service of the same name in another namespace.
        "other namespace's web slow": ["HttpSlowResponses", "warning", { namespace: "monitoring", service: "web" }],
        // A ServiceDown that names no service must not silence the service-less alerts of its namespace.
        "backups down, no service": ["ServiceDown", "critical", { namespace: "backups" }],
        "orders backup failed": ["BackupFailed", "warning", { namespace: "backups", database: "orders" }],
        // A CronJob that stopped starting runs is the cause beside the page, not a reason to silence it (or it the cause).
        "billing backup too old": ["BackupTooOld", "critical", { database: "billing" }],
        "billing backup not started": ["BackupNotStarted", "warning", { database: "billing", reason: "suspended" }],
        // An endpoint that is down explains its low availability, not another endpoint's.
        "grafana endpoint down": ["EndpointDown", "critical", grafana],
        "grafana endpoint flapping": ["EndpointAvailabilityLow", "critical", grafana],
        "api endpoint flapping": ["EndpointAvailabilityLow", "critical", { ...grafana, instance: "https://api.staging.platform.example.com/health/ready" }],
      };
      const labelsOf = ([alertname, severity, labels]: [string, string, Record<string, string>]) => ({ alertname, severity, ...labels });
      const posted = await fetch(`${api}/api/v2/alerts`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.values(batch).map((b) => ({ labels: labelsOf(b) }))),
      });
      expect(posted.status, await posted.text()).to.equal(200);

      const inhibitedBy: Record<string, string> = {
        "memory A warning": "memory A critical",
        "api availability ticket": "api availability page",
        "chart fs A warning": "chart fs A critical",
        "chart pvc a warning": "chart pvc a critical",
        "chart pvc a info": "chart pvc a critical",
        "web slow": "web down",
        "web flapping": "web down",
        "grafana endpoint flapping": "grafana endpoint down",
      };
      const canonical = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
      const nameOf = (labels: Record<string, string>) => Object.keys(batch).find((name) => canonical(labelsOf(batch[name])) === canonical(labels));
      // The inhibitor indexes source alerts asynchronously; wait until every expected inhibition shows,
      // then compare the state of every alert at once.
      let listed: { name: string; alert: ApiAlert }[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        listed = (await alerts()).flatMap((alert) => {
          const name = nameOf(alert.labels);
          return name ? [{ name, alert }] : [];
        });
        const suppressed = listed.filter((l) => l.alert.status.state === "suppressed").map((l) => l.name);
        if (listed.length === Object.keys(batch).length && Object.keys(inhibitedBy).every((k) => suppressed.includes(k))) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const byFingerprint = Object.fromEntries(listed.map((l) => [l.alert.fingerprint, l.name]));
      const actual = Object.fromEntries(listed.map((l) => [l.name, l.alert.status.inhibitedBy.map((f) => byFingerprint[f])]));
      const expected = Object.fromEntries(Object.keys(batch).map((name) => [name, inhibitedBy[name] ? [inhibitedBy[name]] : []]));
      expect(actual).to.deep.equal(expected);
    });

    it("each node or endpoint failing critically is a group of its own, which in production is a PagerDuty incident of its own; warnings of two nodes share one", async () => {
      const probe = { namespace: "apps", job: "probe/apps/public", team: "application" };
      const batch = [
        { alertname: "NodeHighMemoryUsage", severity: "critical", team: "infrastructure", instance: "10.0.3.1:9100" },
        { alertname: "NodeHighMemoryUsage", severity: "critical", team: "infrastructure", instance: "10.0.3.2:9100" },
        { alertname: "NodeHighMemoryUsage", severity: "warning", team: "infrastructure", instance: "10.0.3.3:9100" },
        { alertname: "NodeHighMemoryUsage", severity: "warning", team: "infrastructure", instance: "10.0.3.4:9100" },
        { alertname: "EndpointDown", severity: "critical", ...probe, instance: "https://a.example.com/health" },
        { alertname: "EndpointDown", severity: "critical", ...probe, instance: "https://b.example.com/health" },
      ];
      // As both Prometheus replicas send them: their external labels, the replica's own dropped by the operator.
      const external = { cluster: "staging-eu-west-1", environment: "staging", prometheus: "monitoring/kube-prometheus-stack-prometheus" };
      const body = JSON.stringify(batch.map((labels) => ({ labels: { ...labels, ...external } })));
      for (const replica of ["prometheus-0", "prometheus-1"]) {
        const posted = await fetch(`${api}/api/v2/alerts`, { method: "POST", headers: { "Content-Type": "application/json" }, body });
        expect(posted.status, `${replica}: ${await posted.text()}`).to.equal(200);
      }
      const mine = new Set(batch.map((b) => b.instance));
      type Group = { receiver: { name: string }; alerts: { labels: Record<string, string> }[] };
      // "receiver alertname severity: the instances of this batch in the group"
      const groups = async () =>
        ((await (await fetch(`${api}/api/v2/alerts/groups`)).json()) as Group[])
          .map((g) => ({ g, ours: g.alerts.filter((a) => mine.has(a.labels.instance)) }))
          .filter(({ ours }) => ours.length > 0)
          .map(({ g, ours }) => `${g.receiver.name} ${ours[0].labels.alertname} ${ours[0].labels.severity}: ${ours.map((a) => a.labels.instance).sort().join(",")}`)
          .sort();
      // The dispatcher files posted alerts into groups asynchronously.
      let listed: string[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        listed = await groups();
        if (listed.flatMap((l) => l.split(": ")[1].split(",")).length >= 8) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(listed).to.deep.equal([
        "default EndpointDown critical: https://a.example.com/health",
        "default EndpointDown critical: https://b.example.com/health",
        "infrastructure-team NodeHighMemoryUsage critical: 10.0.3.1:9100",
        "infrastructure-team NodeHighMemoryUsage critical: 10.0.3.2:9100",
        "infrastructure-team NodeHighMemoryUsage warning: 10.0.3.3:9100,10.0.3.4:9100",
        "slack EndpointDown critical: https://a.example.com/health",
        "slack EndpointDown critical: https://b.example.com/health",
      ]);
    });
  });

  describe("kube-prometheus-stack values", () => {
    it("make Alertmanager mount the platform's Secret instead of the chart's own config", () => {
      expect(alertmanagerConfigSecretValues()).to.deep.equal({
        alertmanager: { alertmanagerSpec: { useExistingSecret: true, configSecret: "alertmanager-platform-config" } },
      });
    });
  });

  describe("AlertmanagerConfigSecret component", () => {
    for (const stack of STACKS) {
      it(`${stack}: one secret-marked Secret in the monitoring namespace holding the rendered config`, async () => {
        useMockStack(stack, {}, []);
        const secrets = stackSecrets(stack);
        const component = new AlertmanagerConfigSecret("platform-alertmanager", {
          namespace: "monitoring",
          routing: stackInput(stack),
          alerts: stackAlerts(stack),
          secrets: {
            slackWebhookUrl: pulumi.secret(secrets.slackWebhookUrl),
            smtpPassword: pulumi.secret(secrets.smtpPassword),
            pagerdutyRoutingKey: pulumi.secret(secrets.pagerdutyRoutingKey),
            heartbeatUrl: pulumi.secret(secrets.heartbeatUrl),
          },
        });
        const rendered = await new Promise<string>((resolve) => component.secret.stringData.apply((d) => resolve(d!["alertmanager.yaml"])));
        const resources = await settle();

        expect(resources.map((r) => [r.type, r.name])).to.deep.equal([
          ["platform:alerting:AlertmanagerConfigSecret", "platform-alertmanager"],
          ["kubernetes:core/v1:Secret", "platform-alertmanager-secret"],
        ]);
        const [root, secret] = resources;
        expect(secret.parent).to.equal(root.urn);
        expect(secret.inputs.metadata).to.deep.include({ name: "alertmanager-platform-config", namespace: "monitoring" });
        // The routing annotation is plain: a plan diff shows a routing change, a policy can check it.
        const routing = JSON.parse((secret.inputs.metadata as { annotations: Record<string, string> }).annotations[ROUTING_ANNOTATION]);
        expect(routing.route.routes[0]).to.include({ receiver: "heartbeat" });
        expect(routing.receivers.find((r: { name: string }) => r.name === "heartbeat").webhook_configs[0].url).to.equal(REDACTED);
        // The Kubernetes SDK marks the whole of stringData secret, so the recorded plan holds its key and the placeholder.
        expect(secret.inputs.stringData).to.deep.equal({ "alertmanager.yaml": SECRET_PLACEHOLDER });
        expect(secret.secretPaths).to.deep.equal(["stringData"]);
        const recorded = JSON.stringify(resources);
        for (const value of Object.values(secrets)) expect(recorded).to.not.contain(value);

        // The apply hands each credential to its own slot: what the Secret holds is the builder's output.
        expect(rendered).to.equal(alertmanagerConfigYaml(stackInput(stack), secrets, stackAlerts(stack)));
        expect(rendered.includes(secrets.pagerdutyRoutingKey)).to.equal(stack === "production");
      });
    }

    it("renders a config without credentials when a staging stack sets none", async () => {
      useMockStack("staging", {}, []);
      const component = new AlertmanagerConfigSecret("platform-alertmanager", { namespace: "monitoring", routing: stackInput("staging"), alerts: stackAlerts("staging"), secrets: {} });
      const rendered = await new Promise<string>((resolve) => component.secret.stringData.apply((d) => resolve(d!["alertmanager.yaml"])));
      const resources = await settle();
      expect(rendered).to.equal(alertmanagerConfigYaml(stackInput("staging"), {}, stackAlerts("staging")));
      // Secret all the same: a Secret's payload is never shown in plain text, credentials or not.
      expect(resources[1].secretPaths).to.deep.equal(["stringData"]);
    });
  });
});
