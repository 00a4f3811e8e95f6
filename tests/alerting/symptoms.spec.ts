import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RuleGroup } from "../../components/alerting/rules";
import {
  type AlertSource,
  CHART_ALERTS_NEVER_SATISFIED,
  CHART_RULE_GROUPS_NEVER_SATISFIED,
  chartAlertsReplaced,
  chartDefaultRulesDisabled,
  symptomOwners,
} from "../../components/alerting/symptoms";
import { toYaml } from "../../components/core/yaml";
import { pinnedChartArchive } from "../../plan/chart-archive";
import type { RecordedResource } from "../../plan/mocks";
import { renderChartObjects } from "../../plan/render-charts";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { planStack, STACKS, type StackName } from "../harness";
import { resolvePromtool, runPromtool } from "../promtool";
import { selects, vectorSelectors } from "./fixtures/selectors";
import { type SymptomScenario, symptomScenarios } from "./fixtures/symptom-scenarios";
import { rulesContext } from "./fixtures/thresholds";

/**
 * Issue #11, fix 3: every alert of the chart and of the platform, as both stacks deploy them (the rendered
 * PrometheusRules of kube-prometheus-stack next to the platform's), reports one symptom, and no symptom has
 * two alerts. The symptom of every alert is components/alerting/symptoms.ts's table; promtool then shows each
 * contested symptom raising exactly its one alert among every alert that reads its series.
 */

const promtool = resolvePromtool();
const KPS = "kube-prometheus-stack";

type Rule = RuleGroup["rules"][number] & { readonly labels?: Record<string, string>; readonly for?: string };

interface DeployedRule {
  readonly rule: Rule;
  readonly alert?: string;
  readonly source: string;
}

const groupsOf = (r: RecordedResource) => (r.inputs.spec as { groups: RuleGroup[] }).groups;
const isPrometheusRule = (r: RecordedResource) => r.inputs.kind === "PrometheusRule";

/** Every rule group a set of records deploys: the spec of each PrometheusRule. */
function ruleGroups(resources: readonly RecordedResource[]): RuleGroup[] {
  return resources.filter(isPrometheusRule).flatMap(groupsOf);
}

/** Every rule, with where it comes from: the chart that rendered its PrometheusRule, or the platform. */
function deployedRules(resources: readonly RecordedResource[]): DeployedRule[] {
  return resources.filter(isPrometheusRule).flatMap((r) =>
    groupsOf(r).flatMap((g) => g.rules.map((rule) => ({ rule: rule as Rule, alert: "alert" in rule ? rule.alert : undefined, source: r.renderedFrom?.chart ?? "platform" }))),
  );
}

const alertsOf = (rules: readonly DeployedRule[]) => rules.filter((r) => r.alert !== undefined);

/** Raw series names an expression reads, through the recording rules it uses. */
function rawMetrics(expr: string, records: ReadonlyMap<string, readonly Rule[]>, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  for (const selector of vectorSelectors(expr)) {
    const name = selector.matchers.find((m) => m.label === "__name__" && m.op === "=")?.value ?? selector.text;
    if (records.has(name) && !seen.has(name)) {
      seen.add(name);
      for (const record of records.get(name)!) for (const m of rawMetrics(record.expr, records, seen)) out.add(m);
    } else {
      out.add(name);
    }
  }
  return out;
}

const seconds = (d: string | undefined) => {
  const m = /^(\d+)([smh])$/.exec(d ?? "0s");
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"] : 0;
};

/** promtool's series notation of an input series: `name{a="b"}`. */
const seriesName = (series: string) => /^([^{]+)/.exec(series)![1];
const seriesLabels = (series: string): Record<string, string> =>
  Object.fromEntries([...series.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], JSON.parse(`"${m[2]}"`) as string]));

/**
 * The alerts a scenario must raise and may not: every alert of `rules` with a selector that selects one of the
 * scenario's series is a candidate; exactly the expected ones may be pending or firing, and they must fire.
 */
function candidates(rules: readonly DeployedRule[], scenario: SymptomScenario): string[] {
  const inputs = scenario.series.map((s) => ({ name: seriesName(s.series), labels: seriesLabels(s.series) }));
  const names = alertsOf(rules)
    .filter((r) => vectorSelectors(r.rule.expr).some((selector) => inputs.some((input) => selects(selector, input.name, input.labels))))
    .map((r) => r.alert!);
  return [...new Set(names)].sort();
}

/**
 * Runs every scenario against `groups` in one promtool run. Returns, per scenario that failed, what promtool
 * saw: the candidate alerts pending or firing at the end of the scenario, as `alertname severity team state`.
 */
function evaluate(groups: readonly RuleGroup[], scenarios: readonly SymptomScenario[], dir: string): Record<string, string> {
  const rules = groups.flatMap((g) => g.rules.map((rule) => ({ rule: rule as Rule, alert: "alert" in rule ? rule.alert : undefined, source: "" })));
  const tests = scenarios.map((scenario) => {
    const names = candidates(rules, scenario);
    for (const e of scenario.expected) if (!names.includes(e.alert)) throw new Error(`${scenario.name}: ${e.alert} reads none of the scenario's series`);
    // Long enough for the slowest expected rule's `for`, plus the rate windows before it.
    const forSeconds = Math.max(...scenario.expected.map((e) => Math.max(...alertsOf(rules).filter((r) => r.alert === e.alert).map((r) => seconds(r.rule.for)))));
    const minute = forSeconds / 60 + 6;
    return {
      name: scenario.name,
      interval: "1m",
      input_series: scenario.series.map((s) => ({ series: s.series, values: s.values(minute + 1) })),
      promql_expr_test: [
        {
          // The comment names the scenario in promtool's report, which gives only the failing expression.
          expr: `# ${scenario.name}\ncount by (alertname, severity, team, alertstate) (ALERTS{alertname=~"${names.join("|")}"})`,
          eval_time: `${minute}m`,
          exp_samples: scenario.expected.map((e) => ({ labels: `{alertname="${e.alert}", severity="${e.severity}", team="${e.team}", alertstate="firing"}`, value: 1 })),
        },
      ],
    };
  });
  fs.writeFileSync(path.join(dir, "rules.yml"), toYaml({ groups }));
  fs.writeFileSync(path.join(dir, "symptoms.test.yml"), toYaml({ rule_files: ["rules.yml"], evaluation_interval: "1m", tests }));
  const run = runPromtool(promtool, ["test", "rules", "symptoms.test.yml"], dir);
  const failed: Record<string, string> = {};
  for (const block of run.output.split(/\n\s*expr: "# /).slice(1)) {
    const name = block.slice(0, block.indexOf("\\n"));
    const got = /got:\s*(.*)/.exec(block)?.[1] ?? block;
    failed[name] = [...got.matchAll(/\{alertname="(\w+)", alertstate="(\w+)", severity="(\w+)", team="([\w-]+)"\}/g)].map((m) => `${m[1]} ${m[3]} ${m[4]} ${m[2]}`).join(", ") || got.trim();
  }
  if (run.status !== 0 && Object.keys(failed).length === 0) throw new Error(`promtool failed without naming a scenario:\n${run.output}`);
  return failed;
}

/** kube-prometheus-stack's Release as the stack plans it. */
function chartRelease(resources: readonly RecordedResource[]): RecordedResource {
  const release = resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === KPS);
  expect(release, "the stack installs kube-prometheus-stack").to.not.equal(undefined);
  return release!;
}

describe("one alert per symptom (issue #11): the chart's rendered rules and the platform's, both stacks", () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "symptoms-"))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  const owners = symptomOwners();
  const tableSource = new Map<string, AlertSource>(owners.map((o) => [o.alert, o.area.source]));

  it("names every alert once: no alert reports two symptoms, no symptom has two alerts", () => {
    const names = owners.map((o) => o.alert);
    expect(names.filter((n, i) => names.indexOf(n) !== i), "alerts listed twice").to.deep.equal([]);
    for (const { alert, symptom } of owners) {
      for (const replaced of Object.keys(symptom.replaces ?? {})) {
        // A chart alert of the owner's own name (the chart's Watchdog) is the chart's copy, not the owner.
        expect(names.includes(replaced) && tableSource.get(replaced) === KPS, `${replaced} is disabled for ${alert}, yet listed as the owner of a symptom`).to.equal(false);
      }
    }
    const replaced = Object.keys(chartAlertsReplaced());
    const never = Object.keys(CHART_ALERTS_NEVER_SATISFIED);
    expect(replaced.filter((n) => never.includes(n)), "disabled for two reasons").to.deep.equal([]);
  });

  it("every alert the table names as disabled exists in the pinned chart, which reads its `defaultRules.disabled.<alert>`", async () => {
    const plan = await planStack("production");
    const release = chartRelease(plan.resources);
    const chart = pinnedChartArchive(REPOSITORY_ROOT, KPS, String(release.inputs.version)).chart;
    const templates = [...chart.templates.values()].join("\n");
    const missing = Object.keys(chartDefaultRulesDisabled()).filter((alert) => !templates.includes(`.Values.defaultRules.disabled.${alert} `));
    expect(missing, "disabled names the chart does not know (a misspelt name disables nothing)").to.deep.equal([]);
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      it("every deployed alert is in the table, from the source the table says; every alert of the table is deployed", async () => {
        const plan = await planStack(stack);
        const alerts = alertsOf(deployedRules(plan.resources));
        expect(new Set(alerts.map((a) => a.source)), "rules come from the platform and kube-prometheus-stack only").to.deep.equal(new Set(["platform", KPS]));
        const unlisted = [...new Set(alerts.filter((a) => tableSource.get(a.alert!) !== (a.source as AlertSource)).map((a) => `${a.alert} (${a.source})`))];
        expect(unlisted, "deployed alerts without their symptom in components/alerting/symptoms.ts").to.deep.equal([]);
        const deployed = new Set(alerts.map((a) => a.alert));
        expect(owners.filter((o) => !deployed.has(o.alert)).map((o) => o.alert), "alerts of the table that the stack does not deploy").to.deep.equal([]);
        // 98 of the chart's 120 alerts stay; the platform's are in the alert catalogue.
        expect(new Set(alerts.filter((a) => a.source === KPS).map((a) => a.alert)).size).to.equal(98);
      });

      it("the chart renders none of the alerts and rule groups it disables, and the release's defaultRules say exactly the table's", async () => {
        const plan = await planStack(stack);
        const release = chartRelease(plan.resources);
        const values = release.inputs.values as { defaultRules: { disabled: Record<string, boolean>; rules: Record<string, boolean> } };
        expect(values.defaultRules.disabled).to.deep.equal(chartDefaultRulesDisabled());
        expect(values.defaultRules.rules).to.deep.equal({ k8sContainerMemorySwap: false });
        expect(Object.keys(CHART_RULE_GROUPS_NEVER_SATISFIED)).to.deep.equal(Object.keys(values.defaultRules.rules));
        const groups = plan.resources.filter((r) => isPrometheusRule(r) && r.renderedFrom).flatMap((r) => groupsOf(r).map((g) => g.name));
        expect(groups, "k8sContainerMemorySwap's group").to.not.include("k8s.rules.container_memory_swap");
        expect(groups.length).to.be.greaterThan(25);
        const chartAlerts = new Set(alertsOf(deployedRules(plan.resources)).filter((a) => a.source === KPS).map((a) => a.alert));
        expect(Object.keys(chartDefaultRulesDisabled()).filter((a) => chartAlerts.has(a))).to.deep.equal([]);
      });

      it("a cause never pages: no critical rule reads node CPU time, and no rule of a cause is critical", async () => {
        const plan = await planStack(stack);
        const rules = deployedRules(plan.resources);
        const records = new Map<string, Rule[]>();
        for (const { rule } of rules) if ("record" in rule) records.set(rule.record, [...(records.get(rule.record) ?? []), rule]);
        const critical = alertsOf(rules).filter((r) => r.rule.labels?.severity === "critical");
        expect(critical.length, "critical rules exist").to.be.greaterThan(20);
        expect(critical.filter((r) => rawMetrics(r.rule.expr, records).has("node_cpu_seconds_total")).map((r) => r.alert)).to.deep.equal([]);
        const causes = owners.filter((o) => o.symptom.cause).map((o) => o.alert);
        expect(causes).to.deep.equal(["HorizontalPodAutoscalerCannotScale", "NodeHighCPUUsage", "ClusterSecretStoreNotReady", "ClusterIssuerNotReady", "NodeSystemSaturation"]);
        const severities = alertsOf(rules).filter((r) => causes.includes(r.alert!)).map((r) => `${r.alert} ${r.rule.labels?.severity}`);
        expect(severities.sort()).to.deep.equal([
          "ClusterIssuerNotReady warning",
          "ClusterSecretStoreNotReady warning",
          "HorizontalPodAutoscalerCannotScale warning",
          "HorizontalPodAutoscalerCannotScale warning",
          "NodeHighCPUUsage warning",
          "NodeSystemSaturation warning",
        ]);
      });

      it("promtool: each contested symptom, fed to every rule the stack deploys, raises its one alert for the right team and nothing else that reads its series", async function () {
        const plan = await planStack(stack);
        const dir = fs.mkdtempSync(path.join(work, `${stack}-`));
        const scenarios = symptomScenarios(rulesContext(stack));
        expect(scenarios).to.have.lengthOf(24);
        expect(evaluate(ruleGroups(plan.resources), scenarios, dir)).to.deep.equal({});
      });
    });
  }

  it("the check can fail: with the chart's rules rendered as the chart ships them, the duplicates fire next to their owners", async () => {
    const stack: StackName = "production";
    const plan = await planStack(stack);
    const release = structuredClone(chartRelease(plan.resources)) as RecordedResource & { inputs: { values: { defaultRules: Record<string, unknown> } } };
    delete release.inputs.values.defaultRules.disabled;
    const rendered = await renderChartObjects(stack, [release], { projectDir: REPOSITORY_ROOT });
    const shipped = [...plan.resources.filter((r) => isPrometheusRule(r) && !r.renderedFrom), ...rendered.objects];
    const scenarios = symptomScenarios(rulesContext(stack));
    const failed = evaluate(ruleGroups(shipped), scenarios, fs.mkdtempSync(path.join(work, "as-shipped-")));
    // Every contested symptom was reported twice, often to two teams.
    expect(Object.keys(failed).sort()).to.deep.equal(scenarios.map((s) => s.name).sort());
    expect(failed).to.deep.include({
      "a container crash-looping in an application namespace": "KubePodCrashLooping warning infrastructure firing, PodCrashLooping warning application firing",
      "a rule group failing to evaluate": "PrometheusRuleEvaluationFailures critical infrastructure firing, PrometheusRuleFailures critical infrastructure pending",
      "a Job failed in a platform namespace": "JobFailed warning infrastructure firing, KubeJobFailed warning infrastructure firing",
      "a node's CPU 100 % busy: a ticket, never a page": "NodeCPUHighUsage info infrastructure pending, NodeHighCPUUsage warning infrastructure firing",
    });
  });
});
