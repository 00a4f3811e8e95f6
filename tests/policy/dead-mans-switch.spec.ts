import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ROUTING_ANNOTATION as WRITTEN_BY_THE_COMPONENT } from "../../components/alerting/alertmanager";
import { REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { loadPackConfig, policyExitCode, runPolicies } from "../../policy/offline";
import { deliveriesFor, durationSeconds } from "../../policy/rules/alertmanager-routing";
import { ROUTING_ANNOTATION } from "../../policy/rules/dead-mans-switch";
import { planStack, STACKS } from "../harness";
import { type FixtureResource, messagesOf, violations } from "./fixtures";
import { runTempDir } from "../temp-dirs";

const POLICY = "stack-dead-mans-switch";

const NOT_ROUTED = (where: string) =>
  `Watchdog is routed to ${where}, which sends nothing outside the cluster; route alertname="Watchdog" to a heartbeat receiver ` +
  `(webhook_configs to the heartbeat service, heartbeatUrl) with repeat_interval at most 5m`;
const NO_WATCHDOG = "no always-firing Watchdog alert: add a PrometheusRule alert Watchdog with expr vector(1), or keep kube-prometheus-stack's defaultRules group general";
const UNREADABLE =
  "the stack's Alertmanager routing cannot be read: the Secret that kube-prometheus-stack's alertmanager.alertmanagerSpec.configSecret names must be created by this stack " +
  "and carry the annotation platform.io/alertmanager-routing (the configuration without credentials), or the chart's alertmanager.config must hold it";

/** The platform's routing, reduced: Watchdog to the heartbeat every minute, the rest to mail. */
const routing = (watchdog: Record<string, unknown>, heartbeat: Record<string, unknown> = { webhook_configs: [{ send_resolved: false, url: "<redacted>" }] }) => ({
  route: { receiver: "mail", repeat_interval: "12h", routes: [{ matchers: ['alertname="Watchdog"'], group_by: ["alertname"], ...watchdog }] },
  receivers: [{ name: "mail", email_configs: [{ to: "oncall@example.com" }] }, { name: "null" }, { name: "heartbeat", ...heartbeat }],
});
const HEARTBEAT = routing({ receiver: "heartbeat", repeat_interval: "1m" });

const kps = (values: Record<string, unknown> = { alertmanager: { alertmanagerSpec: { configSecret: "alertmanager-platform-config", useExistingSecret: true } } }): FixtureResource => ({
  type: "kubernetes:helm.sh/v3:Release",
  name: "kps-release",
  inputs: { name: "kube-prometheus-stack", namespace: "monitoring", chart: "kube-prometheus-stack", values },
});

const configSecret = (annotations: Record<string, string>): FixtureResource => ({
  type: "kubernetes:core/v1:Secret",
  name: "alertmanager-config-secret",
  inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "alertmanager-platform-config", namespace: "monitoring", annotations }, stringData: "[secret]" },
});
const annotated = (config: unknown) => configSecret({ [ROUTING_ANNOTATION]: JSON.stringify(config, null, 2) });

const watchdogRule = (expr = "vector(1)"): FixtureResource => ({
  type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  name: "rules-platform-prometheus",
  inputs: { apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { name: "platform-prometheus", namespace: "monitoring" }, spec: { groups: [{ name: "platform-prometheus", rules: [{ alert: "Watchdog", expr, for: "0s", labels: { severity: "none" } }] }] } },
});

const messages = (resources: FixtureResource[], config = {}) => messagesOf(POLICY, resources, config);

describe("policy: stack-dead-mans-switch", () => {
  it("passes a stack whose Watchdog rule reaches a heartbeat webhook every minute", async () => {
    expect(await messages([kps(), annotated(HEARTBEAT), watchdogRule()])).to.deep.equal([]);
  });

  it("passes the chart's own Watchdog and a chart-managed Alertmanager config, read from its values", async () => {
    const chart = kps({ defaultRules: { create: true }, alertmanager: { config: HEARTBEAT } });
    expect(await messages([chart])).to.deep.equal([]);
  });

  it("reports a Watchdog routed to the null receiver, or to a receiver that only mails", async () => {
    expect(await messages([kps(), annotated(routing({ receiver: "null" })), watchdogRule()])).to.deep.equal([NOT_ROUTED('"null"')]);
    expect(await messages([kps(), annotated(routing({ receiver: "mail" })), watchdogRule()])).to.deep.equal([NOT_ROUTED('"mail"')]);
    // A heartbeat receiver without its URL (a staging stack without the secret) notifies nothing.
    expect(await messages([kps(), annotated(routing({ receiver: "heartbeat", repeat_interval: "1m" }, {})), watchdogRule()])).to.deep.equal([NOT_ROUTED('"heartbeat"')]);
  });

  it("reports a heartbeat too rare for the heartbeat service: repeat_interval above maxHeartbeatInterval, inherited included", async () => {
    expect(await messages([kps(), annotated(routing({ receiver: "heartbeat", repeat_interval: "12h" })), watchdogRule()])).to.deep.equal([
      'Watchdog reaches "heartbeat" only every 12h (repeat_interval); the heartbeat service must hear from it at least every 5m',
    ]);
    expect(await messages([kps(), annotated(routing({ receiver: "heartbeat" })), watchdogRule()])).to.deep.equal([
      'Watchdog reaches "heartbeat" only every 12h (repeat_interval); the heartbeat service must hear from it at least every 5m',
    ]);
    expect(await messages([kps(), annotated(routing({ receiver: "heartbeat", repeat_interval: "10m" })), watchdogRule()], { [POLICY]: { maxHeartbeatInterval: "15m" } })).to.deep.equal([]);
  });

  it("reports a stack without an always-firing Watchdog", async () => {
    expect(await messages([kps({ ...kps().inputs.values as object, defaultRules: { create: false } }), annotated(HEARTBEAT)])).to.deep.equal([NO_WATCHDOG]);
    expect(await messages([kps({ ...kps().inputs.values as object, defaultRules: { create: true, rules: { general: false } } }), annotated(HEARTBEAT), watchdogRule("up == 0")])).to.deep.equal([NO_WATCHDOG]);
  });

  it("reports routing it cannot read: a config Secret without the annotation, or none at all", async () => {
    expect(await messages([kps(), configSecret({}), watchdogRule()])).to.deep.equal([UNREADABLE]);
    expect(await messages([kps(), watchdogRule()])).to.deep.equal([UNREADABLE]);
  });

  it("leaves a stack without kube-prometheus-stack alone, and is mandatory where the pack config says so", async () => {
    expect(await messages([annotated(HEARTBEAT)])).to.deep.equal([]);
    const found = (await violations([kps(), annotated(routing({ receiver: "null" })), watchdogRule()], { [POLICY]: "mandatory" })).filter((v) => v.policy === POLICY);
    expect(found.map((v) => v.enforcementLevel)).to.deep.equal(["mandatory"]);
  });

  it("reads the annotation the Alertmanager component writes", () => {
    expect(ROUTING_ANNOTATION).to.equal(WRITTEN_BY_THE_COMPONENT);
  });

  describe("routing helpers", () => {
    it("inherits repeat_interval down the tree, Alertmanager's 4h when no route sets it", () => {
      expect(deliveriesFor(HEARTBEAT, { alertname: "Watchdog" })).to.deep.equal([{ receiver: "heartbeat", repeatInterval: "1m" }]);
      expect(deliveriesFor(HEARTBEAT, { alertname: "Other" })).to.deep.equal([{ receiver: "mail", repeatInterval: "12h" }]);
      expect(deliveriesFor({ route: { receiver: "x" } }, {})).to.deep.equal([{ receiver: "x", repeatInterval: "4h" }]);
    });

    it("reads Alertmanager durations, and nothing else", () => {
      expect(["1m", "90s", "1h30m", "2d", "500ms"].map(durationSeconds)).to.deep.equal([60, 90, 5400, 172800, 0.5]);
      expect(["", "5", "1 m", "1mx", "m"].map(durationSeconds)).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
    });
  });

  describe("the committed stacks", () => {
    for (const stack of STACKS) {
      it(`${stack}: the platform's Watchdog reaches the heartbeat receiver every minute`, async () => {
        const plan = await planStack(stack);
        const report = await runPolicies(plan.record, loadPackConfig(stack));
        expect(report.violations.filter((v) => v.policy === POLICY)).to.deep.equal([]);
      });
    }

    it("production refuses (mandatory) a stack whose heartbeat would come every 12 hours; staging only warns", async () => {
      const rare = (stack: string) => {
        const doc = parse(fs.readFileSync(path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        doc.config["platform:alertRouting"].timing.heartbeat = { groupWait: "10s", groupInterval: "5m", repeatInterval: "12h" };
        const file = path.join(runTempDir("platform-policy-"), `Pulumi.${stack}.yaml`);
        fs.writeFileSync(file, stringify(doc));
        return file;
      };
      const message = 'Watchdog reaches "heartbeat" only every 12h (repeat_interval); the heartbeat service must hear from it at least every 5m';
      const production = await runPolicies(await runProgram("production", { stackFile: rare("production") }), loadPackConfig("production"));
      expect(production.violations.filter((v) => v.policy === POLICY).map((v) => [v.enforcementLevel, v.message])).to.deep.equal([["mandatory", message]]);
      expect(policyExitCode(production)).to.equal(1);
      const staging = await runPolicies(await runProgram("staging", { stackFile: rare("staging") }), loadPackConfig("staging"));
      expect(staging.violations.filter((v) => v.policy === POLICY).map((v) => [v.enforcementLevel, v.message])).to.deep.equal([["advisory", message]]);
      expect(policyExitCode(staging)).to.equal(0);
    });
  });
});
