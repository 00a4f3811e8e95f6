import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { REDACTED, type Route, ROUTING_ANNOTATION } from "../../components/alerting/alertmanager";
import { ALERTMANAGER_CONFIG_FILE, ALERTMANAGER_SECRET_TOKEN, ALERTMANAGER_SECRET_URL, alertmanagerConfigFile, PROMETHEUS_RULES_DIR } from "../../plan/alerting-files";
import type { RecordedResource } from "../../plan/mocks";
import { writePlan } from "../../plan/render";
import { runProgram } from "../../plan/run-program";
import { AMTOOL, amtool, routesTest } from "../amtool";
import { expectedRoutes } from "../alerting/fixtures/routes";
import { engineConfig, planStack, secretSentinel, STACKS, type StackPlan } from "../harness";
import { resolvePromtool, runPromtool } from "../promtool";
import { runTempDir } from "../temp-dirs";

// The plan writes its alerting in the files promtool and amtool read (plan/alerting-files.ts): these run the
// real tools on what writePlan wrote for each committed stack.

const promtool = resolvePromtool();

/** The rule file the plan writes for each PrometheusRule (namespace-name.yaml) → that object's spec.groups. */
function ruleGroupsByFile(plan: StackPlan): Map<string, unknown> {
  return new Map(plan.objects("PrometheusRule").map((o) => [`${o.metadata.namespace}-${o.metadata.name}.yaml`, o.spec.groups]));
}

const alertmanagerSecret = (plan: StackPlan) => plan.object("Secret", "monitoring", "alertmanager-platform-config");

/** Every string of a parsed document, at any depth. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (value === null || typeof value !== "object") return [];
  return Object.values(value).flatMap(strings);
}

describe("plan: the alerting as promtool and amtool read it (prometheus-rules/, alertmanager/alertmanager.yaml)", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const pages = stack === "production";
      let plan: StackPlan;
      let out: string;
      let rulesDir: string;
      let alertmanagerFile: string;
      before(async () => {
        plan = await planStack(stack);
        out = runTempDir(`platform-alerting-files-${stack}-`);
        writePlan(plan.record, out);
        rulesDir = path.join(out, PROMETHEUS_RULES_DIR);
        alertmanagerFile = path.join(out, ALERTMANAGER_CONFIG_FILE);
      });

      it("writes one rule file per PrometheusRule of the plan, the platform's and the chart's: `groups:` exactly as its spec.groups, read as YAML 1.1", () => {
        const expected = ruleGroupsByFile(plan);
        const files = fs.readdirSync(rulesDir).sort();
        expect(files).to.deep.equal([...expected.keys()].sort());
        const platform = files.filter((f) => f.startsWith("monitoring-platform-"));
        const chart = files.filter((f) => f.startsWith("monitoring-kube-prometheus-stack-"));
        expect([files.length, platform.length, chart.length]).to.deep.equal([50, 21, 29]);
        for (const file of files) {
          const text = fs.readFileSync(path.join(rulesDir, file), "utf8");
          expect(text, file).to.match(/^# The rule groups of PrometheusRule monitoring\//);
          expect(parse(text, { version: "1.1" }), file).to.deep.equal({ groups: expected.get(file) });
        }
        expect(fs.readFileSync(path.join(rulesDir, "monitoring-kube-prometheus-stack-general.rules.yaml"), "utf8")).to.match(
          /^# The rule groups of PrometheusRule monitoring\/kube-prometheus-stack-general\.rules \(Helm release monitoring\/kube-prometheus-stack, chart kube-prometheus-stack \S+\): promtool check rules <this file>\ngroups:\n/,
        );
      });

      it(`promtool check rules accepts every rule file; its lint finds only the chart's four recordings of one series by status class (${promtool.version})`, () => {
        const files = fs.readdirSync(rulesDir).sort();
        // As a user runs it: lint findings are reported, not fatal.
        const run = runPromtool(promtool, ["check", "rules", ...files], rulesDir);
        expect(run.status, run.output).to.equal(0);
        const linted = "monitoring-kube-prometheus-stack-kube-apiserver-availability.rules.yaml";
        expect(run.output.match(/SUCCESS/g)).to.have.lengthOf(files.length - 1);
        expect(run.output.match(/FAILED/g)).to.have.lengthOf(1);
        // promtool prints a finding on stderr, apart from its file's name: that one file, checked alone, is the one.
        const alone = runPromtool(promtool, ["check", "rules", linted], rulesDir);
        expect(alone.status, alone.output).to.equal(0);
        // kube-prometheus' code_verb:apiserver_request_total:increase1h, once per code class (2.., 3.., 4.., 5..): no two record the same series.
        expect(alone.output).to.contain("FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: code_verb:apiserver_request_total:increase1h\n");
        const unlinted = runPromtool(promtool, ["check", "rules", "--lint=none", ...files], rulesDir);
        expect(unlinted.status, unlinted.output).to.equal(0);
        const ruleCount = [...ruleGroupsByFile(plan).values()].flatMap((groups) => (groups as { rules: unknown[] }[]).flatMap((g) => g.rules)).length;
        const found = [...unlinted.output.matchAll(/SUCCESS: (\d+) rules found/g)].map((m) => Number(m[1]));
        expect(found).to.have.lengthOf(files.length);
        expect(found.reduce((a, b) => a + b, 0)).to.equal(ruleCount);
      });

      it("promtool test rules runs a test whose rule_files names a written file: Watchdog fires, with its labels", () => {
        const dir = runTempDir(`platform-alerting-files-test-${stack}-`);
        const test = {
          rule_files: [path.join(rulesDir, "monitoring-platform-prometheus.yaml")],
          evaluation_interval: "1m",
          tests: [
            {
              interval: "1m",
              input_series: [],
              alert_rule_test: [
                {
                  eval_time: "1m",
                  alertname: "Watchdog",
                  exp_alerts: [
                    {
                      exp_labels: { severity: "none", team: "infrastructure", component: "alerting" },
                      exp_annotations: {
                        summary: "The alerting pipeline works: this alert always fires.",
                        description:
                          "Prometheus evaluates rules and reaches Alertmanager, which sends this alert to the external heartbeat service. If the heartbeat service stops hearing it, Prometheus or Alertmanager is down.",
                        runbook_url: "https://github.com/example/platform/blob/main/components/alerting/runbooks/prometheus.md#watchdog",
                      },
                    },
                  ],
                },
              ],
            },
          ],
        };
        fs.writeFileSync(path.join(dir, "watchdog.test.yaml"), JSON.stringify(test));
        const run = runPromtool(promtool, ["test", "rules", "watchdog.test.yaml"], dir);
        expect(run.status, run.output).to.equal(0);
        expect(run.output).to.contain("SUCCESS");
      });

      it(`amtool check-config accepts alertmanager.yaml: 8 inhibit rules, ${pages ? 9 : 8} receivers (${AMTOOL})`, () => {
        const result = amtool(["check-config", alertmanagerFile]);
        expect(result.status, result.stdout + result.stderr).to.equal(0);
        expect(result.stdout).to.contain("SUCCESS");
        expect(result.stdout).to.contain(" - 8 inhibit rules");
        expect(result.stdout).to.contain(` - ${pages ? 9 : 8} receivers`);
      });

      it("amtool config routes test on alertmanager.yaml gives the receivers the Alertmanager configuration's tests expect", () => {
        const routes = expectedRoutes(stack);
        expect(routes.map(([, labels, receivers]) => [labels, receivers])).to.deep.include([
          "alertname=HighErrorRate namespace=apps service=api team=database severity=critical",
          pages ? "pagerduty,database-team" : "database-team",
        ]);
        for (const [what, labels, receivers] of routes) {
          const result = routesTest(alertmanagerFile, labels, receivers);
          expect(result.status, `${what}: ${result.stdout}${result.stderr}`).to.equal(0);
          expect(result.stdout.trim(), what).to.equal(receivers);
        }
      });

      it("every alert of the written rule files, with the labels Prometheus adds, reaches the receivers of its severity and team: none goes nowhere, Watchdog only to the heartbeat", () => {
        // As the operator configures Prometheus: the stack's externalLabels and its own `prometheus` label
        // (prometheus_replica is dropped from alerts, so the replicas' alerts are one).
        const prometheus = plan.object("Prometheus", "monitoring", "kube-prometheus-stack-prometheus");
        const external = { ...prometheus.spec.externalLabels, prometheus: "monitoring/kube-prometheus-stack-prometheus" };
        expect(external).to.deep.equal({ cluster: pages ? "prod-eu-west-1" : "staging-eu-west-1", environment: stack, prometheus: "monitoring/kube-prometheus-stack-prometheus" });
        const written = parse(fs.readFileSync(alertmanagerFile, "utf8"), { version: "1.1" }) as { route: Route };
        // The label values the routing tree matches on; any other value of those labels is routed alike ("*").
        const matched = new Map<string, Set<string>>();
        const walk = (route: Route) => {
          for (const m of route.matchers ?? []) {
            const [, label, value] = /^(\w+)="(.*)"$/.exec(m) ?? [];
            if (!label) throw new Error(`a matcher this test does not read: ${m}`);
            matched.set(label, (matched.get(label) ?? new Set()).add(value));
          }
          for (const child of route.routes ?? []) walk(child);
        };
        walk(written.route);
        expect([...matched.keys()].sort()).to.deep.equal(["alertname", "severity", "team"]);
        const rules = fs.readdirSync(rulesDir).flatMap((file) =>
          (parse(fs.readFileSync(path.join(rulesDir, file), "utf8"), { version: "1.1" }).groups as { rules: { alert?: string; labels?: Record<string, string> }[] }[]).flatMap((g) =>
            g.rules.filter((r) => r.alert).map((r) => ({ alertname: r.alert!, ...r.labels, ...external })),
          ),
        );
        expect(rules).to.have.lengthOf(192);
        // One amtool run per kind of alert the tree can tell apart.
        const kindOf = (labels: Record<string, string>) => [...matched.keys()].sort().map((l) => (matched.get(l)!.has(labels[l]) ? labels[l] : labels[l] === undefined ? "-" : "*")).join(" ");
        const byKind = new Map(rules.map((labels) => [kindOf(labels), labels]));
        const routed = Object.fromEntries(
          [...byKind].map(([kind, labels]) => {
            const result = amtool(["config", "routes", "test", `--config.file=${alertmanagerFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
            expect(result.status, result.stdout + result.stderr).to.equal(0);
            return [kind, result.stdout.trim()];
          }),
        );
        const page = (receivers: string) => (pages ? `pagerduty,${receivers}` : receivers);
        // alertname severity team → receivers
        expect(routed).to.deep.equal({
          "Watchdog * infrastructure": "heartbeat",
          "InfoInhibitor * infrastructure": "null",
          "* info infrastructure": "null",
          "* info *": "null",
          "* critical infrastructure": page("infrastructure-team"),
          "* warning infrastructure": "infrastructure-team",
          "* critical security": page("security-team"),
          "* warning security": "security-team",
          "* critical database": page("database-team"),
          "* warning database": "database-team",
          "* warning data-engineering": "data-engineering-team",
          // Team application has no receiver of its own: the platform team's.
          "* critical *": page("slack,default"),
          "* warning *": "slack,default",
        });
        expect(new Set(rules.filter((r) => r.team === "application").map((r) => kindOf(r)))).to.deep.equal(new Set(["* critical *", "* warning *", "* info *"]));
      });

      it(`is the Secret's routing annotation with each credential a placeholder: ${pages ? 4 : 3} of them, and no other value`, () => {
        const written = parse(fs.readFileSync(alertmanagerFile, "utf8"), { version: "1.1" }) as Record<string, any>;
        const annotation = JSON.parse(alertmanagerSecret(plan).metadata.annotations[ROUTING_ANNOTATION]);
        const placeholders = strings(written).filter((s) => s === ALERTMANAGER_SECRET_TOKEN || s === ALERTMANAGER_SECRET_URL);
        expect(placeholders).to.have.lengthOf(pages ? 4 : 3);
        expect(strings(annotation).filter((s) => s === REDACTED)).to.have.lengthOf(placeholders.length);
        const redacted = (value: unknown) => JSON.parse(JSON.stringify(value), (_key, v) => (v === ALERTMANAGER_SECRET_TOKEN || v === ALERTMANAGER_SECRET_URL ? REDACTED : v));
        expect(redacted(written)).to.deep.equal(annotation);
        expect(written.global).to.include({ slack_api_url: ALERTMANAGER_SECRET_TOKEN, smtp_auth_password: ALERTMANAGER_SECRET_TOKEN });
        expect(written.receivers.find((r: { name: string }) => r.name === "heartbeat").webhook_configs[0].url).to.equal(ALERTMANAGER_SECRET_URL);
        // The templates are inline: the configuration names no template files to write beside it.
        expect(written).to.not.have.property("templates");
        expect(fs.readdirSync(path.dirname(alertmanagerFile))).to.deep.equal(["alertmanager.yaml"]);
      });

      it("a rerun deletes the rule file (and manifest) of a PrometheusRule the plan no longer has, and leaves the other files' bytes and times alone", () => {
        const removed = "monitoring-platform-http.yaml";
        const kept = path.join(rulesDir, "monitoring-platform-prometheus.yaml");
        const old = new Date("2020-01-01T00:00:00Z");
        fs.utimesSync(kept, old, old);
        fs.utimesSync(alertmanagerFile, old, old);
        const without = plan.resources.filter((r) => !(r.inputs.kind === "PrometheusRule" && (r.inputs.metadata as { name: string }).name === "platform-http"));
        expect(without).to.have.lengthOf(plan.resources.length - 1);
        const written = writePlan({ ...plan.record, resources: without }, out);
        expect(fs.existsSync(path.join(rulesDir, removed))).to.equal(false);
        expect(fs.existsSync(path.join(out, "manifests", "monitoring", "prometheusrule-platform-http.yaml"))).to.equal(false);
        expect(fs.readdirSync(rulesDir)).to.have.lengthOf(49);
        expect(written.filter((f) => f.startsWith(`${PROMETHEUS_RULES_DIR}/`))).to.have.lengthOf(49);
        expect([fs.statSync(kept).mtimeMs, fs.statSync(alertmanagerFile).mtimeMs]).to.deep.equal([old.getTime(), old.getTime()]);
        writePlan(plan.record, out);
        expect(fs.readdirSync(rulesDir)).to.include(removed);
      });
    });
  }

  describe("never a credential in alertmanager.yaml", () => {
    for (const stack of STACKS) {
      it(`${stack}: a plan given every secret decrypted (sentinels) writes placeholders only`, async () => {
        const config = engineConfig(stack);
        const record = await runProgram(stack, { config, renderCharts: false });
        const text = alertmanagerConfigFile(record.resources)!;
        expect(text).to.contain(`slack_api_url: ${ALERTMANAGER_SECRET_TOKEN}`);
        for (const key of config.secretKeys) expect(text, key).to.not.contain(secretSentinel(key));
        expect(text).to.not.contain(REDACTED).and.not.contain("[secret]");
      });
    }

    const secretWith = (annotation: string, secretPaths: string[] = ["stringData"]): RecordedResource => ({
      urn: "urn:pulumi:production::platform::kubernetes:core/v1:Secret::platform-alertmanager-secret",
      type: "kubernetes:core/v1:Secret",
      name: "platform-alertmanager-secret",
      custom: true,
      inputs: { apiVersion: "v1", kind: "Secret", metadata: { name: "alertmanager-platform-config", namespace: "monitoring", annotations: { [ROUTING_ANNOTATION]: annotation } }, stringData: { "alertmanager.yaml": "[secret]" } },
      secretPaths,
      dependencies: [],
      options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
    });
    const leaked = "https://hooks.slack.com/services/T000/B000/leaked-webhook";
    const route = { receiver: "null" };
    const cases: [string, RecordedResource, string][] = [
      [
        "a credential in plain text",
        secretWith(JSON.stringify({ global: { slack_api_url: leaked }, route, receivers: [{ name: "null" }] })),
        "global.slack_api_url holds a value instead of <redacted>",
      ],
      [
        "a receiver's credential in plain text",
        secretWith(JSON.stringify({ route, receivers: [{ name: "null" }, { name: "heartbeat", webhook_configs: [{ url: leaked }] }] })),
        "receivers[1].webhook_configs[0].url holds a value instead of <redacted>",
      ],
      ["an annotation the plan masked as secret", secretWith("[secret]", ["metadata.annotations", "stringData"]), "is secret, so it is no routing without credentials"],
      ["an annotation that is no JSON", secretWith(`slack_api_url: ${leaked}`), "is not JSON"],
    ];
    for (const [what, secret, message] of cases) {
      it(`refuses ${what}, before writing anything and without quoting it`, () => {
        const out = path.join(runTempDir("platform-alerting-files-refused-"), "plan");
        let error: Error | undefined;
        try {
          writePlan({ project: "platform", stack: "production", resources: [secret] }, out);
        } catch (err) {
          error = err as Error;
        }
        expect(error?.message).to.equal(`${secret.urn}: annotation ${ROUTING_ANNOTATION}${message.startsWith("is ") ? " " : ": "}${message}; alertmanager.yaml is not written`);
        expect(error!.message).to.not.contain("leaked");
        expect(fs.existsSync(out)).to.equal(false);
      });
    }
  });
});
