import { expect } from "chai";
import { receiverNotifies, receiversFor } from "../../policy/rules/alertmanager-routing";
import { cronJob, type FixtureResource, violations } from "./fixtures";

const POLICY = "stack-backups-and-critical-alerts";
const NO_BACKUP =
  "the stack has no active backup CronJob; label the backup CronJob platform.io/component: backup and do not suspend it";
const NO_CRITICAL_ROUTE =
  "the stack routes critical alerts to no receiver; give Alertmanager a config Secret from this stack " +
  "(kube-prometheus-stack's alertmanager.alertmanagerSpec.configSecret, or a Secret labelled platform.io/component: alertmanager-config), " +
  `or route severity="critical" to a receiver with a notifier in the chart's alertmanager.config`;

const LIMITS = { concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 };
const backup = (spec: Record<string, unknown> = {}) => cronJob("pg-backup-orders", { ...LIMITS, ...spec }, { "platform.io/component": "backup" });

const alertmanagerSecret = (labels: Record<string, string>): FixtureResource => ({
  type: "kubernetes:core/v1:Secret",
  name: "alertmanager-config",
  inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "alertmanager-platform", namespace: "monitoring", labels }, stringData: "[secret]" },
});

const kps = (alertmanager: Record<string, unknown>): FixtureResource => ({
  type: "kubernetes:helm.sh/v3:Release",
  name: "kps-release",
  inputs: { name: "kube-prometheus-stack", namespace: "monitoring", chart: "kube-prometheus-stack", values: { alertmanager } },
});

/** Production routing: critical pages PagerDuty and continues to Slack; everything else goes to mail. */
const ROUTED = {
  route: {
    receiver: "mail",
    routes: [
      { matchers: ['alertname="Watchdog"'], receiver: "null" },
      { matchers: ['severity="critical"'], receiver: "pagerduty", continue: true },
      { match_re: { severity: "critical|warning" }, receiver: "slack" },
    ],
  },
  receivers: [
    { name: "null" },
    { name: "mail", email_configs: [{ to: "oncall@example.com" }] },
    { name: "pagerduty", pagerduty_configs: [{ routing_key_file: "/etc/alertmanager/secrets/pagerduty/key" }] },
    { name: "slack", slack_configs: [{ channel: "#alerts-production" }] },
  ],
};

async function messages(resources: FixtureResource[]): Promise<[string, string][]> {
  return (await violations(resources)).filter((v) => v.policy === POLICY).map((v) => [v.enforcementLevel, v.message]);
}

describe("policy: stack-backups-and-critical-alerts", () => {
  it("passes a stack with a backup CronJob and an Alertmanager config Secret", async () => {
    expect(await messages([backup(), alertmanagerSecret({ "platform.io/component": "alertmanager-config" })])).to.deep.equal([]);
  });

  it("passes a stack whose kube-prometheus-stack values route critical alerts to a notifier", async () => {
    expect(await messages([backup(), kps({ config: ROUTED })])).to.deep.equal([]);
  });

  it("passes a stack whose kube-prometheus-stack reads its Alertmanager config from a Secret the stack creates", async () => {
    const chart = kps({ alertmanagerSpec: { configSecret: "alertmanager-platform-config", useExistingSecret: true } });
    const secret = { ...alertmanagerSecret({}), inputs: { ...alertmanagerSecret({}).inputs, metadata: { name: "alertmanager-platform-config", namespace: "monitoring" } } };
    expect(await messages([backup(), chart, secret])).to.deep.equal([]);
    expect(await messages([backup(), chart])).to.deep.equal([["advisory", NO_CRITICAL_ROUTE]]);
  });

  it("reports, as advisory for now, a stack without backups or critical routing", async () => {
    const unlabelled = cronJob("pg-backup-orders", LIMITS, { "platform.io/component": "restore-drill" });
    expect(await messages([unlabelled, alertmanagerSecret({ app: "alertmanager" })])).to.deep.equal([
      ["advisory", NO_BACKUP],
      ["advisory", NO_CRITICAL_ROUTE],
    ]);
  });

  it("does not count a suspended backup or a critical route that ends in a receiver without notifiers", async () => {
    const silenced = {
      route: { receiver: "mail", routes: [{ matchers: ['severity="critical"'], receiver: "null" }] },
      receivers: ROUTED.receivers,
    };
    expect(await messages([backup({ suspend: true }), kps({ config: silenced })])).to.deep.equal([
      ["advisory", NO_BACKUP],
      ["advisory", NO_CRITICAL_ROUTE],
    ]);
  });

  it("becomes mandatory where the pack config says so", async () => {
    const found = (await violations([], { [POLICY]: "mandatory" })).filter((v) => v.policy === POLICY);
    expect(found.map((v) => [v.enforcementLevel, v.urn])).to.deep.equal([
      ["mandatory", undefined],
      ["mandatory", undefined],
    ]);
  });

  describe("Alertmanager routing", () => {
    it("follows the first matching route, and later siblings only after continue: true", () => {
      expect(receiversFor(ROUTED, { severity: "critical" })).to.deep.equal(["pagerduty", "slack"]);
      expect(receiversFor(ROUTED, { severity: "warning" })).to.deep.equal(["slack"]);
      expect(receiversFor(ROUTED, { severity: "info" })).to.deep.equal(["mail"]);
      expect(receiversFor(ROUTED, { alertname: "Watchdog", severity: "critical" })).to.deep.equal(["null"]);
    });

    it("inherits the receiver, matches !=, =~ and !~ fully anchored, and treats a missing label as empty", () => {
      const config = {
        route: {
          receiver: "root",
          routes: [
            { matchers: ['team!=""'], routes: [{ matchers: ["severity=~crit.*"], receiver: "team-page" }] },
            { matchers: ['severity!~"warn|info"'], receiver: "other" },
          ],
        },
      };
      expect(receiversFor(config, { team: "db", severity: "critical" })).to.deep.equal(["team-page"]);
      expect(receiversFor(config, { team: "db", severity: "warning" })).to.deep.equal(["root"]);
      expect(receiversFor(config, { severity: "critical" })).to.deep.equal(["other"]);
      expect(receiversFor(config, { severity: "warningx" })).to.deep.equal(["other"]);
      expect(receiversFor({}, { severity: "critical" })).to.deep.equal([]);
    });

    it("calls a receiver notifying only when one of its *_configs lists something", () => {
      expect(["null", "mail", "pagerduty", "missing"].map((r) => receiverNotifies(ROUTED, r))).to.deep.equal([false, true, true, false]);
    });
  });
});
