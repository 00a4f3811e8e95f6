import { parser } from "@prometheus-io/lezer-promql";
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RuleGroup } from "../../components/alerting/rules";
import { toYaml } from "../../plan/canonical";
import type { RecordedResource } from "../../plan/mocks";
import { planStack, STACKS } from "../harness";
import { producedSeries, seriesText } from "./fixtures/produced-series";
import { resolvePromtool, runPromtool } from "./fixtures/promtool";

const promtool = resolvePromtool();
const EVAL_MINUTES = 30;

/** The rule groups the stack deploys: the spec of every PrometheusRule in its plan. */
function deployedGroups(resources: readonly RecordedResource[]): RuleGroup[] {
  return resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => (r.inputs.spec as { groups: RuleGroup[] }).groups);
}

/** The text of every vector selector of an expression, matchers included. */
function selectors(expr: string): string[] {
  const found: string[] = [];
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.name === "VectorSelector") found.push(expr.slice(node.from, node.to));
    },
  });
  return found;
}

/**
 * Runs the stack's rules in promtool over the series the stack produces, and asks, for every selector of every
 * rule, whether it selects anything (`absent(<selector>)` must be empty). Returns the selectors that select
 * nothing, with the rules that use them.
 */
function unproduced(resources: readonly RecordedResource[], dir: string, checked: { count: number } = { count: 0 }): string[] {
  const groups = deployedGroups(resources);
  const uses = new Map<string, Set<string>>();
  for (const rule of groups.flatMap((g) => g.rules)) {
    for (const selector of selectors(rule.expr)) uses.set(selector, new Set([...(uses.get(selector) ?? []), "alert" in rule ? rule.alert : rule.record]));
  }
  const list = [...uses.keys()];
  checked.count = list.length;
  fs.writeFileSync(path.join(dir, "rules.yml"), toYaml({ groups }));
  fs.writeFileSync(
    path.join(dir, "produced.test.yml"),
    toYaml({
      rule_files: ["rules.yml"],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          // Counters and gauges alike: increasing, so every rate() over them has a value.
          input_series: producedSeries(resources).map((s) => ({ series: seriesText(s), values: `1+1x${EVAL_MINUTES}` })),
          promql_expr_test: list.map((selector) => ({ expr: `absent(${selector})`, eval_time: `${EVAL_MINUTES}m`, exp_samples: [] })),
        },
      ],
    }),
  );
  const run = runPromtool(promtool, ["test", "rules", "produced.test.yml"], dir);
  const failed = [...run.output.matchAll(/expr: "absent\((.*)\)", time:/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  if (run.status !== 0 && failed.length === 0) throw new Error(`promtool failed without naming a selector:\n${run.output}`);
  return failed.map((selector) => `${selector} (${[...(uses.get(selector) ?? [])].join(", ")})`);
}

describe(`every rule selects series the platform produces (promtool ${promtool.path})`, () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "produced-series-"))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const stack of STACKS) {
    it(`${stack}: each selector of each deployed rule, with its matchers, matches a series of the stack's ServiceMonitors, Probes, kube-state-metrics, Pushgateway or chart exporters`, async () => {
      const plan = await planStack(stack);
      const dir = fs.mkdtempSync(path.join(work, `${stack}-`));
      expect(deployedGroups(plan.resources).length, "the plan deploys the rule groups").to.be.greaterThan(15);
      const checked = { count: 0 };
      expect(unproduced(plan.resources, dir, checked)).to.deep.equal([]);
      expect(checked.count, "distinct selectors checked").to.be.greaterThan(90);
    });
  }

  it("the check can fail: without the https Probes of the public hostnames, the certificate alerts read nothing", async () => {
    const plan = await planStack("production");
    const isHttpsProbe = (r: RecordedResource) => r.inputs.kind === "Probe" && String((r.inputs.spec as { module?: string }).module).startsWith("https");
    const withoutPublicProbe = plan.resources.filter((r) => !isHttpsProbe(r));
    expect(plan.resources.filter(isHttpsProbe).map((r) => (r.inputs.metadata as { name: string }).name).sort()).to.deep.equal(["api-public", "grafana-public"]);
    expect(unproduced(withoutPublicProbe, fs.mkdtempSync(path.join(work, "no-probe-")))).to.deep.equal(["probe_ssl_earliest_cert_expiry (TLSCertificateExpiringSoon)"]);
  });

  it("the check can fail: a backup CronJob that cannot reach the Pushgateway leaves the backup gauges unproduced", async () => {
    const plan = await planStack("production");
    const withoutPush = plan.resources.map((r) => {
      if (r.inputs.kind !== "CronJob") return r;
      const copy = structuredClone(r) as RecordedResource & { inputs: any };
      for (const c of copy.inputs.spec.jobTemplate.spec.template.spec.containers) c.env = c.env.filter((e: { name: string }) => e.name !== "PUSHGATEWAY_URL");
      return copy;
    });
    const missing = unproduced(withoutPush, fs.mkdtempSync(path.join(work, "no-push-")));
    expect(missing.length).to.be.greaterThan(0);
    expect(missing.every((m) => /^pg_(backup|restore_drill)_/.test(m)), missing.join("\n")).to.equal(true);
  });
});
