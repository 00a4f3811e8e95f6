import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { parser } from "@prometheus-io/lezer-promql";
import { parser as traceql } from "@grafana/lezer-traceql";
import { expect } from "chai";
import { HTTP_RECORDS } from "../../components/alerting/rules/recording";
import { SLO_RECORDS, SLO_WINDOWS } from "../../components/alerting/rules/slo-records";
import { dashboardConfigMaps, dashboards, PlatformDashboards } from "../../components/dashboards";
import { APP_METRICS, EXPORTER_METRICS, knownSeriesNames, SCRAPE_TARGET_LABELS, seriesNames } from "../../components/metrics";
import * as fs from "node:fs";
import * as path from "node:path";
import { settle, useMockStack } from "../../plan/mocks";
import { stackThresholds } from "../alerting/fixtures/thresholds";
import { planStack, STACKS } from "../harness";
import { resolvePromtool, runPromtool } from "../promtool";
import { runTempDir } from "../temp-dirs";

// The production stack's alert thresholds (shared with the rule tests; from the stack file once it has them).
const THRESHOLDS = stackThresholds("production");

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const TRACES = { type: "tempo", uid: "${traces}" };

const EXPECTED = [
  ["platform-system-overview", "Platform / System overview", ["datasource", "namespace", "service"]],
  ["platform-application", "Platform / Application (HTTP)", ["datasource", "namespace", "service", "traces"]],
  ["platform-database", "Platform / Database", ["datasource", "namespace", "service"]],
  ["platform-pipelines", "Platform / Pipelines", ["datasource", "namespace", "service"]],
  ["platform-connectors", "Platform / Connectors", ["datasource", "namespace", "service", "connector_type"]],
  ["platform-auth", "Platform / Authentication", ["datasource", "namespace", "service"]],
  ["platform-cache", "Platform / Cache", ["datasource", "namespace", "service", "cache"]],
  ["platform-business", "Platform / Business", ["datasource", "namespace", "service"]],
  ["platform-websocket", "Platform / WebSocket", ["datasource", "namespace", "service"]],
  ["platform-alerts", "Platform / Alerts", ["datasource", "severity"]],
] as const;

/**
 * Series the dashboards read beyond the metrics catalog (application, backup and exporter metrics the
 * rules use) and the recorded HTTP aggregates: Prometheus' own alert series and Alertmanager's counters.
 */
const DASHBOARD_ONLY_SERIES: Record<string, readonly string[]> = {
  ALERTS: ["alertname", "alertstate", "severity", "team", "namespace", "service"],
  ALERTS_FOR_STATE: ["alertname", "severity", "team", "namespace", "service"],
  alertmanager_notifications_total: ["integration", "instance", "pod"],
  alertmanager_notifications_failed_total: ["integration", "reason", "instance", "pod"],
  alertmanager_alerts: ["state", "instance", "pod"],
  alertmanager_silences: ["state", "instance", "pod"],
};

/** The series the SLO rules record (components/alerting/rules/slo.ts), which the error-budget panels read. */
const SLO_SERIES: readonly string[] = [SLO_RECORDS.objective, SLO_RECORDS.budgetRemaining, SLO_RECORDS.periodErrorRatio, SLO_RECORDS.errorRate5m, ...SLO_WINDOWS.map(SLO_RECORDS.errorRatio)];

// Labels the scrape adds to every application series.
const SCRAPE_LABELS: readonly string[] = SCRAPE_TARGET_LABELS;

/** The labels a series may be selected or grouped by. */
function seriesLabels(): Map<string, ReadonlySet<string>> {
  const labels = new Map<string, ReadonlySet<string>>();
  for (const [name, definition] of Object.entries(APP_METRICS)) {
    for (const series of seriesNames(name, definition)) {
      labels.set(series, new Set([...definition.labelNames, ...SCRAPE_LABELS, ...(series.endsWith("_bucket") ? ["le"] : [])]));
    }
  }
  for (const metric of EXPORTER_METRICS) labels.set(metric.name, new Set(metric.labels));
  for (const record of Object.values(HTTP_RECORDS)) labels.set(record, new Set(["namespace", "service"]));
  for (const record of SLO_SERIES) labels.set(record, new Set(["namespace", "service", "slo"]));
  for (const [name, list] of Object.entries(DASHBOARD_ONLY_SERIES)) labels.set(name, new Set(list));
  return labels;
}
const LABELS = seriesLabels();
const APP_SERIES = new Set(Object.entries(APP_METRICS).flatMap(([name, definition]) => seriesNames(name, definition)));

// Grafana replaces its interval macros before the query reaches Prometheus; the check does the same.
const GRAFANA_MACROS: [RegExp, string][] = [
  [/\$__rate_interval/g, "1m"],
  [/\$__interval/g, "1m"],
  [/\$__range/g, "1h"],
];

/** A node of lezer-promql's tree (typed through the parser, whose @lezer/common copy is the one that counts). */
type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

interface PromqlCheck {
  readonly errors: string[];
  readonly metrics: string[];
}

/**
 * The series a vector selector names: its metric name, or the names of a `__name__` matcher that is an
 * alternation of names (`{__name__=~"a|b"}`, how a variable lists a label of several metrics); `text` reads a
 * node of the tree the selector belongs to.
 */
function selectedMetrics(selector: SyntaxNode, text: (node: SyntaxNode) => string, errors: string[]): string[] {
  const identifier = selector.getChild("Identifier");
  if (identifier) return [text(identifier)];
  const byName = (selector.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []).find((m) => text(m.getChild("LabelName")!) === "__name__");
  if (!byName) return [];
  const names = JSON.parse(text(byName.getChild("StringLiteral")!)) as string;
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\|[a-zA-Z_:][a-zA-Z0-9_:]*)*$/.test(names)) {
    errors.push(`__name__ matches ${names}, not an alternation of metric names`);
    return [];
  }
  return names.split("|");
}

/** Parses PromQL with Prometheus' own grammar, then checks every series and label name it uses. */
function checkPromql(raw: string): PromqlCheck {
  const expr = GRAFANA_MACROS.reduce((text, [macro, value]) => text.replace(macro, value), raw);
  const errors: string[] = [];
  const metrics: string[] = [];
  const text = (node: SyntaxNode) => expr.slice(node.from, node.to);
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (ref) => {
      if (ref.type.isError) errors.push(`syntax error at ${ref.from}: "${expr.slice(Math.max(0, ref.from - 20), ref.to + 20)}"`);
      if (ref.name === "VectorSelector") {
        for (const metric of selectedMetrics(ref.node, text, errors)) {
          metrics.push(metric);
          const known = LABELS.get(metric);
          if (!known) {
            errors.push(`unknown series ${metric}`);
            continue;
          }
          for (const name of ref.node.getChild("LabelMatchers")?.getChildren("UnquotedLabelMatcher") ?? []) {
            const label = text(name.getChild("LabelName")!);
            if (label !== "__name__" && !known.has(label)) errors.push(`${metric} has no label ${label}`);
          }
        }
      }
      if (ref.name === "AggregateExpr") {
        const grouping = ref.node.getChild("AggregateModifier")?.getChild("GroupingLabels");
        if (!grouping) return;
        const inside = new Set<string>();
        const subtree = (node: SyntaxNode) => expr.slice(ref.from + node.from, ref.from + node.to);
        ref.node.toTree().iterate({
          enter: (n) => {
            if (n.name !== "VectorSelector") return;
            for (const metric of selectedMetrics(n.node, subtree, [])) for (const label of LABELS.get(metric) ?? []) inside.add(label);
          },
        });
        for (const name of grouping.getChildren("LabelName")) {
          if (!inside.has(text(name))) errors.push(`grouping by ${text(name)}, which no series inside "${text(ref.node).slice(0, 60)}" has`);
        }
      }
    },
  });
  return { errors, metrics };
}

interface FoundQuery {
  readonly where: string;
  readonly expr: string;
  readonly legend?: string;
}

/** Every PromQL expression of a dashboard: panel targets, annotations and the selectors of label_values variables. */
/** A panel that queries Tempo (TraceQL), not Prometheus. */
function isTracePanel(panel: unknown): boolean {
  return (panel as { datasource?: { type?: string } }).datasource?.type === "tempo";
}

function queriesOf(dashboard: Dashboard): FoundQuery[] {
  const found: FoundQuery[] = [];
  for (const panel of (dashboard.panels ?? []).filter((p) => !isTracePanel(p))) {
    for (const target of ((panel as { targets?: { expr: string; legendFormat?: string }[] }).targets ?? [])) {
      found.push({ where: `${dashboard.uid} / ${panel.title}`, expr: target.expr, legend: target.legendFormat });
    }
  }
  for (const annotation of dashboard.annotations.list ?? []) {
    found.push({ where: `${dashboard.uid} / annotation ${annotation.name}`, expr: (annotation as { expr: string }).expr });
  }
  for (const variable of dashboard.templating.list ?? []) {
    if (variable.type !== "query") continue;
    const match = /^label_values\((.+), (\w+)\)$/.exec(String(variable.query));
    expect(match, `${dashboard.uid} variable ${variable.name}: ${String(variable.query)}`).to.not.equal(null);
    const [, selector, label] = match!;
    // label_values(selector, label): the label must exist on the selected series.
    found.push({ where: `${dashboard.uid} / variable ${variable.name}`, expr: `count by (${label}) (${selector})` });
  }
  return found;
}

/** Every value found under a key named `uid`, with its path. */
function uids(value: unknown, path = "$"): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => uids(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => (k === "uid" ? [[`${path}.uid`, v] as [string, unknown]] : uids(v, `${path}.${k}`)));
  }
  return [];
}


/** One expected sample of a panel query: its labels (`{a="b"}`) and value. */
interface PanelSample {
  readonly labels: string;
  readonly value: number;
}

/**
 * Runs panel queries through promtool against `inputSeries` (sampled every 30 s, like the scrapes), with
 * every dashboard variable at its "All" value (`.*`) and Grafana's macros replaced, and expects `samples` of
 * each panel at minute 10. Returns promtool's output and status.
 */
function evaluatePanels(dashboard: Dashboard, expected: Record<string, readonly PanelSample[]>, inputSeries: { series: string; values: string }[]) {
  const panelExpr = (title: string) => {
    const panel = (dashboard.panels ?? []).find((p) => p.title === title) as { targets?: { expr: string }[] } | undefined;
    expect(panel?.targets, `${dashboard.uid} / ${title}`).to.have.lengthOf(1);
    return panel!.targets![0].expr.replace(/\$__rate_interval/g, "1m").replace(/\$\w+/g, ".*");
  };
  const test = {
    rule_files: [],
    evaluation_interval: "30s",
    tests: [
      {
        interval: "30s",
        input_series: inputSeries,
        promql_expr_test: Object.entries(expected).map(([title, samples]) => ({ expr: panelExpr(title), eval_time: "10m", exp_samples: samples })),
      },
    ],
  };
  const dir = runTempDir("dashboard-panels-");
  fs.writeFileSync(path.join(dir, "panels.test.yml"), JSON.stringify(test));
  return runPromtool(resolvePromtool(), ["test", "rules", "panels.test.yml"], dir);
}

/**
 * What each query variable of `dashboard` lists against `inputSeries` (promtool): its label_values selector,
 * every variable at "All" (`.*`), as `group by (<label>)`, expected to give exactly `values` of each variable.
 */
function evaluateVariables(dashboard: Dashboard, values: Record<string, readonly string[]>, inputSeries: { series: string; values: string }[]) {
  const tests = Object.entries(values).map(([name, expected]) => {
    const variable = (dashboard.templating.list ?? []).find((v) => v.name === name)!;
    const [, selector, label] = /^label_values\((.+), (\w+)\)$/.exec(String(variable.query))!;
    return { expr: `group by (${label}) (${selector.replace(/\$\w+/g, ".*")})`, eval_time: "10m", exp_samples: expected.map((v) => ({ labels: `{${label}="${v}"}`, value: 1 })) };
  });
  const test = { rule_files: [], evaluation_interval: "30s", tests: [{ interval: "30s", input_series: inputSeries, promql_expr_test: tests }] };
  const dir = runTempDir("dashboard-variables-");
  fs.writeFileSync(path.join(dir, "variables.test.yml"), JSON.stringify(test));
  return runPromtool(resolvePromtool(), ["test", "rules", "variables.test.yml"], dir);
}

describe("Grafana dashboards", () => {
  const built = dashboards(THRESHOLDS);

  it("ten dashboards with stable, unique uids and titles, tagged platform, refreshing every 30 s", () => {
    expect(built.map((d) => [d.uid, d.title])).to.deep.equal(EXPECTED.map(([uid, title]) => [uid, title]));
    for (const d of built) {
      expect(d.tags, d.uid).to.deep.equal(["platform"]);
      expect(d.refresh, d.uid).to.equal("30s");
      expect(d.editable, d.uid).to.equal(false);
    }
  });

  it("a prometheus `datasource` variable first, then namespace/service (or the dashboard's own) variables", () => {
    built.forEach((d, i) => {
      const variables = d.templating.list ?? [];
      expect(variables.map((v) => v.name), d.uid).to.deep.equal([...EXPECTED[i][2]]);
      expect(variables[0]).to.include({ type: "datasource", query: "prometheus" });
      for (const v of variables.slice(1)) {
        // The trace panels' Tempo data source, picked like the Prometheus one.
        if (v.name === "traces") {
          expect(v, d.uid).to.include({ type: "datasource", query: "tempo" });
          continue;
        }
        expect(v, `${d.uid} ${v.name}`).to.include({ type: "query", multi: true, includeAll: true, allValue: ".*", refresh: 2 });
        expect(v.datasource, `${d.uid} ${v.name}`).to.deep.equal(DATASOURCE);
      }
    });
  });

  it("every panel and target queries the datasource variable (trace panels the traces one); no UID is hard-coded anywhere", () => {
    for (const d of built) {
      const panels = (d.panels ?? []).filter((p) => p.type !== "row" && !isTracePanel(p));
      for (const panel of (d.panels ?? []).filter(isTracePanel)) {
        expect(panel.datasource, `${d.uid} / ${panel.title}`).to.deep.equal(TRACES);
        for (const t of (panel as { targets?: { datasource?: unknown }[] }).targets ?? []) expect(t.datasource, `${d.uid} / ${panel.title}`).to.deep.equal(TRACES);
      }
      expect(panels.length, d.uid).to.be.greaterThan(5);
      for (const panel of panels) {
        const targets = (panel as { targets?: { datasource?: unknown; refId?: string }[] }).targets ?? [];
        expect(panel.datasource, `${d.uid} / ${panel.title}`).to.deep.equal(DATASOURCE);
        expect(targets.length, `${d.uid} / ${panel.title}`).to.be.greaterThan(0);
        for (const t of targets) expect(t.datasource, `${d.uid} / ${panel.title}`).to.deep.equal(DATASOURCE);
        expect(new Set(targets.map((t) => t.refId)).size, `${d.uid} / ${panel.title} refIds`).to.equal(targets.length);
      }
      for (const annotation of d.annotations.list ?? []) expect(annotation.datasource, d.uid).to.deep.equal(DATASOURCE);
      const found = uids(d).filter(([path]) => path !== "$.uid");
      expect(found.filter(([, value]) => value !== "${datasource}" && value !== "${traces}"), d.uid).to.deep.equal([]);
    }
  });

  it("panel ids are unique and panels do not overlap on the grid", () => {
    for (const d of built) {
      const panels = d.panels ?? [];
      expect(panels.map((p) => p.id), d.uid).to.deep.equal(panels.map((_, i) => i + 1));
      const cells = new Set<string>();
      for (const p of panels) {
        const { x, y, w, h } = p.gridPos!;
        expect(x + w, `${d.uid} / ${p.title} fits 24 columns`).to.be.at.most(24);
        for (let cx = x; cx < x + w; cx++) {
          for (let cy = y; cy < y + h; cy++) {
            expect(cells.has(`${cx},${cy}`), `${d.uid} / ${p.title} overlaps at ${cx},${cy}`).to.equal(false);
            cells.add(`${cx},${cy}`);
          }
        }
      }
    }
  });

  it("every PromQL expression parses with Prometheus' grammar and uses only known series and labels", () => {
    const problems: string[] = [];
    let count = 0;
    for (const d of built) {
      for (const q of queriesOf(d)) {
        count++;
        const { errors, metrics } = checkPromql(q.expr);
        if (metrics.length === 0) errors.push("selects no series");
        for (const label of [...(q.legend ?? "").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1])) {
          if (!metrics.some((m) => LABELS.get(m)?.has(label))) errors.push(`legend uses {{${label}}}, which none of its series has`);
        }
        problems.push(...errors.map((e) => `${q.where}: ${e} in ${q.expr}`));
      }
    }
    expect(count).to.be.greaterThan(100);
    expect(problems).to.deep.equal([]);
  });

  it("the PromQL check itself rejects a syntax error, an unknown series, a wrong label and a bad grouping", () => {
    expect(checkPromql("sum(rate(http_requests_total[5m])").errors).to.have.length.greaterThan(0);
    expect(checkPromql("rate(http_request_total[5m])").errors).to.deep.equal(["unknown series http_request_total"]);
    expect(checkPromql('rate(pipeline_errors_total{type="x"}[5m])').errors).to.deep.equal(["pipeline_errors_total has no label type"]);
    expect(checkPromql("sum by (type) (rate(pipeline_errors_total[$__rate_interval]))").errors).to.deep.equal([
      'grouping by type, which no series inside "sum by (type) (rate(pipeline_errors_total[1m]))" has',
    ]);
    expect(checkPromql('sum by (error_type) (rate(pipeline_errors_total{role!="preview"}[$__rate_interval]))').errors).to.deep.equal([]);
    // A selector of several metrics by name: each must be known and have the labels it is matched or grouped by.
    expect(checkPromql('count by (cache) ({__name__=~"cache_hits_total|cache_misses_total", service=~".*"})')).to.deep.equal({ errors: [], metrics: ["cache_hits_total", "cache_misses_total"] });
    expect(checkPromql('count by (cache) ({__name__=~"cache_hits_total|cache_miss_total"})').errors).to.deep.equal(["unknown series cache_miss_total"]);
    expect(checkPromql('{__name__=~"cache_hits_total|pipeline_errors_total", cache=~".*"}').errors).to.deep.equal(["pipeline_errors_total has no label cache"]);
    expect(checkPromql('{__name__=~"cache_.*"}').errors).to.deep.equal(["__name__ matches cache_.*, not an alternation of metric names"]);
  });

  it("shows every application metric of the catalog somewhere", () => {
    const used = new Set(built.flatMap((d) => queriesOf(d).flatMap((q) => checkPromql(q.expr).metrics)));
    const missing = Object.entries(APP_METRICS)
      .filter(([name, definition]) => !seriesNames(name, definition).some((s) => used.has(s)))
      .map(([name]) => name);
    expect(missing).to.deep.equal([]);
    for (const series of used) expect(knownSeriesNames().has(series) || series in DASHBOARD_ONLY_SERIES || Object.values<string>(HTTP_RECORDS).includes(series) || SLO_SERIES.includes(series), series).to.equal(true);
  });

  it("application queries count each blue-green pod once (role!=\"preview\")", () => {
    for (const d of built) {
      for (const q of queriesOf(d)) {
        const app = checkPromql(q.expr).metrics.filter((m) => APP_SERIES.has(m));
        if (app.length > 0 && !q.where.includes("/ variable ")) expect(q.expr, q.where).to.contain('role!="preview"');
      }
    }
  });

  for (const stack of STACKS) {
    it(`${stack}: the Cache dashboard shows a cache that never hit at 0 % and one that never missed at 100 %, and counts both in its lookups (promtool)`, () => {
      const cache = dashboards(stackThresholds(stack)).find((d) => d.uid === "platform-cache")!;
      // prom-client has no series of a labelled counter before its first inc(): "sessions" only misses,
      // "tokens" only hits, 10 lookups a second each (300 per 30 s sample).
      const scrape = 'namespace="apps",job="orders",pod="orders-7f9c4-x2x1q",service="orders"';
      const run = evaluatePanels(
        cache,
        {
          "Hit ratio": [
            { labels: '{service="orders",cache="sessions"}', value: 0 },
            { labels: '{service="orders",cache="tokens"}', value: 1 },
          ],
          "Hit ratio, worst cache": [{ labels: "{}", value: 0 }],
          Lookups: [{ labels: "{}", value: 20 }],
        },
        [
          { series: `cache_misses_total{${scrape},cache="sessions"}`, values: "0+300x40" },
          { series: `cache_hits_total{${scrape},cache="tokens"}`, values: "0+300x40" },
        ],
      );
      expect(run.output.includes("FAILED"), run.output).to.equal(false);
      expect(run.status, run.output).to.equal(0);
    });
  }

  it("the Cache dashboard's namespace, service and cache lists hold a cache that only ever missed, and a service whose only cache did (promtool)", () => {
    const cache = built.find((d) => d.uid === "platform-cache")!;
    const scrape = (ns: string, service: string) => `namespace="${ns}",job="${service}",pod="${service}-7f9c4-x2x1q",service="${service}"`;
    const run = evaluateVariables(
      cache,
      { namespace: ["apps", "jobs"], service: ["orders", "reports"], cache: ["sessions", "templates", "tokens"] },
      [
        // prom-client has no cache_hits_total of a cache before its first hit.
        { series: `cache_misses_total{${scrape("apps", "orders")},cache="sessions"}`, values: "0+300x40" },
        { series: `cache_hits_total{${scrape("apps", "orders")},cache="tokens"}`, values: "0+300x40" },
        { series: `cache_misses_total{${scrape("jobs", "reports")},cache="templates"}`, values: "0+300x40" },
        // Not a cache metric.
        { series: `http_requests_total{${scrape("web", "shop")},status="200"}`, values: "0+300x40" },
      ],
    );
    expect(run.output.includes("FAILED"), run.output).to.equal(false);
    expect(run.status, run.output).to.equal(0);
    expect(cache.templating.list!.find((v) => v.name === "cache")!.query).to.equal('label_values({__name__=~"cache_hits_total|cache_misses_total", namespace=~"$namespace", service=~"$service"}, cache)');
  });

  it("the Business dashboard counts an application's users once, however many pods report them, and never its preview pods (promtool)", () => {
    const business = built.find((d) => d.uid === "platform-business")!;
    // Every pod of an app reports the same whole-application gauges. api runs two live pods and a preview
    // pod (blue-green); web one pod, without blue-green labels.
    const pods = [
      { labels: 'namespace="apps",job="api",service="api",pod="api-blue-1",role="active",color="blue"', admins: 10, members: 90, daily: 40 },
      { labels: 'namespace="apps",job="api",service="api",pod="api-blue-2",role="active",color="blue"', admins: 10, members: 90, daily: 40 },
      { labels: 'namespace="apps",job="api",service="api",pod="api-green-1",role="preview",color="green"', admins: 11, members: 95, daily: 1 },
      { labels: 'namespace="apps",job="web",service="web",pod="web-1"', admins: 0, members: 5, daily: 3 },
    ];
    const run = evaluatePanels(
      business,
      {
        "Registered users": [{ labels: "{}", value: 105 }],
        "Daily active users": [{ labels: "{}", value: 43 }],
        "Users by role": [
          { labels: '{user_role="admin"}', value: 10 },
          { labels: '{user_role="member"}', value: 95 },
        ],
      },
      pods.flatMap((p) => [
        ...(p.admins > 0 ? [{ series: `users_total{${p.labels},user_role="admin"}`, values: `${p.admins}x40` }] : []),
        { series: `users_total{${p.labels},user_role="member"}`, values: `${p.members}x40` },
        { series: `users_active_daily{${p.labels}}`, values: `${p.daily}x40` },
      ]),
    );
    expect(run.output.includes("FAILED"), run.output).to.equal(false);
    expect(run.status, run.output).to.equal(0);
  });

  it("stat panels turn red at the stack's alert thresholds", () => {
    const steps = (uid: string, title: string) =>
      (built.find((d) => d.uid === uid)!.panels!.find((p) => p.title === title) as { fieldConfig: { defaults: { thresholds: { steps: unknown } } } }).fieldConfig
        .defaults.thresholds.steps;
    const t = THRESHOLDS;
    expect(steps("platform-application", "Error ratio, worst service (5xx)")).to.deep.equal([
      { value: null, color: "green" },
      { value: t.http.errorRatio, color: "red" },
    ]);
    expect(steps("platform-application", "Latency p95, worst service")).to.deep.equal([
      { value: null, color: "green" },
      { value: t.http.p95LatencySeconds, color: "red" },
    ]);
    expect(steps("platform-database", "Fullest pool")).to.deep.equal([
      { value: null, color: "green" },
      { value: t.database.poolUsageRatio, color: "red" },
    ]);
    expect(steps("platform-cache", "Hit ratio, worst cache")).to.deep.equal([
      { value: null, color: "red" },
      { value: t.cache.minHitRatio, color: "green" },
    ]);
    expect(steps("platform-system-overview", "Disk, fullest filesystem")).to.deep.equal([
      { value: null, color: "green" },
      { value: t.nodes.diskWarningRatio, color: "orange" },
      { value: t.nodes.diskCriticalRatio, color: "red" },
    ]);
    // A different stack value moves the panel's threshold with it.
    const stricter = dashboards({ ...t, http: { ...t.http, errorRatio: 0.0123 } });
    const panel = stricter[1].panels!.find((p) => p.title === "Error ratio, worst service (5xx)") as { fieldConfig: { defaults: { thresholds: { steps: { value: number }[] } } } };
    expect(panel.fieldConfig.defaults.thresholds.steps[1].value).to.equal(0.0123);
  });

  it("the application dashboard lists the selected services' recent traces with a TraceQL query Tempo's grammar accepts", () => {
    const application = built.find((d) => d.uid === "platform-application")!;
    const panel = (application.panels ?? []).find((p) => p.title === "Recent traces") as unknown as { type: string; targets: Record<string, unknown>[] };
    expect(panel.type).to.equal("table");
    expect(panel.targets).to.deep.equal([
      {
        refId: "A",
        datasource: TRACES,
        filters: [],
        queryType: "traceql",
        query: '{ resource.service.name =~ "$service" && resource.k8s.namespace.name =~ "$namespace" }',
        limit: 20,
        tableType: "traces",
      },
    ]);
    const traceqlErrors = (query: string) => {
      const errors: number[] = [];
      traceql.parse(query).iterate({ enter: (node) => void (node.type.isError && errors.push(node.from)) });
      return errors;
    };
    // As Grafana sends it: variables replaced by their values, "All" by `.*`.
    expect(traceqlErrors(String(panel.targets[0].query))).to.deep.equal([]);
    expect(traceqlErrors(String(panel.targets[0].query).replace("$service", "api").replace("$namespace", ".*"))).to.deep.equal([]);
    expect(traceqlErrors("{ resource.service.name =~ }"), "the check itself rejects a broken query").to.not.deep.equal([]);
  });

  it("the application dashboard shows each SLO's remaining error budget and its 1h and 6h burn rates, read from the SLO records", () => {
    const application = built.find((d) => d.uid === "platform-application")!;
    const titles = (application.panels ?? []).map((p) => p.title);
    expect(titles.slice(titles.indexOf("Error budget (apps with SLOs)"), titles.indexOf("Error budget (apps with SLOs)") + 4)).to.deep.equal([
      "Error budget (apps with SLOs)",
      "Error budget remaining",
      "Burn rate, 1h and 6h",
      "Error budget remaining over time",
    ]);
    const exprs = queriesOf(application).map((q) => q.expr);
    expect(exprs).to.include(`${SLO_RECORDS.budgetRemaining}{namespace=~"$namespace", service=~"$service"}`);
    expect(exprs.filter((e) => e.includes(SLO_RECORDS.errorRatio("1h")) || e.includes(SLO_RECORDS.errorRatio("6h")))).to.have.lengthOf(2);
  });

  it("builds the same JSON every time", () => {
    expect(dashboards(THRESHOLDS)).to.deep.equal(built);
    expect(dashboardConfigMaps(dashboards(THRESHOLDS), "monitoring", "production")).to.deep.equal(dashboardConfigMaps(built, "monitoring", "production"));
  });

  describe("ConfigMaps for Grafana's sidecar", () => {
    const configMaps = dashboardConfigMaps(built, "monitoring", "production");

    it("one per dashboard, labelled and annotated the way kube-prometheus-stack's sidecar is configured", async () => {
      const values = (await planStack("production")).one("kubernetes:helm.sh/v3:Release", "platform-monitoring-kps-release").inputs.values as any;
      const sidecar = values.grafana.sidecar.dashboards;
      // The sidecar watches ConfigMaps of Grafana's own namespace only, so the dashboards must live there.
      expect(sidecar).to.include({ enabled: true, resource: "configmap" });
      expect(sidecar).to.not.have.property("searchNamespace");
      expect(configMaps.map((c) => c.metadata!.name)).to.deep.equal(EXPECTED.map(([uid]) => `grafana-dashboard-${uid}`));
      for (const c of configMaps) {
        expect(c.metadata!.namespace).to.equal("monitoring");
        expect(c.metadata!.labels).to.deep.equal({
          "app.kubernetes.io/managed-by": "pulumi",
          "app.kubernetes.io/part-of": "platform",
          "platform.io/environment": "production",
          [sidecar.label]: sidecar.labelValue,
        });
        expect(c.metadata!.annotations).to.deep.equal({ [sidecar.folderAnnotation]: "Platform" });
      }
      expect(sidecar).to.include({ label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder" });
    });

    it("hold each dashboard's JSON under <uid>.json, well within a ConfigMap's 1 MiB", () => {
      configMaps.forEach((c, i) => {
        const key = `${built[i].uid}.json`;
        expect(Object.keys(c.data!)).to.deep.equal([key]);
        expect(JSON.parse(c.data![key])).to.deep.equal(built[i]);
        expect(Buffer.byteLength(c.data![key])).to.be.below(256 * 1024);
      });
    });
  });

  describe("PlatformDashboards component", () => {
    it("creates the ten ConfigMaps as its children", async () => {
      useMockStack("production", {}, []);
      new PlatformDashboards("platform-dashboards", { namespace: "monitoring", environment: "production", alertThresholds: THRESHOLDS });
      const resources = await settle();
      const [root, ...children] = resources;
      expect([root.type, root.name]).to.deep.equal(["platform:dashboards:PlatformDashboards", "platform-dashboards"]);
      expect(children.map((r) => [r.type, r.name, r.parent])).to.deep.equal(
        EXPECTED.map(([uid]) => ["kubernetes:core/v1:ConfigMap", `platform-dashboards-grafana-dashboard-${uid}`, root.urn]),
      );
      expect(children.map((r) => r.inputs.data)).to.deep.equal(dashboardConfigMaps(built, "monitoring", "production").map((c) => c.data));
    });
  });
});
