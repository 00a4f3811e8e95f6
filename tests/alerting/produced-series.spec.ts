import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RuleGroup } from "../../components/alerting/rules";
import { toYaml } from "../../components/core/yaml";
import type { RecordedResource } from "../../plan/mocks";
import { runProgram } from "../../plan/run-program";
import { editedStackFile, planStack, STACKS } from "../harness";
import { EMPTY_SELECTORS } from "./fixtures/empty-selectors";
import { exporterMetrics } from "./fixtures/exporter-metrics";
import { isCounter, producedSeries, seriesText } from "./fixtures/produced-series";
import { resolvePromtool, runPromtool } from "../promtool";
import { vectorSelectors } from "./fixtures/selectors";

const promtool = resolvePromtool();
const EVAL_MINUTES = 30;

/** The rule groups the stack deploys: the spec of every PrometheusRule in its plan. */
function deployedGroups(resources: readonly RecordedResource[]): RuleGroup[] {
  return resources.filter((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => (r.inputs.spec as { groups: RuleGroup[] }).groups);
}

interface Unproduced {
  readonly selector: string;
  readonly rules: readonly string[];
}

const describeMissing = (m: Unproduced) => `${m.selector} (${m.rules.join(", ")})`;

/**
 * Runs the stack's rules in promtool over the series the stack produces, and asks, for every selector of every
 * rule, whether it selects anything (`absent(<selector>)` must be empty). Returns the selectors that select
 * nothing, with the rules that use them.
 */
function unproduced(resources: readonly RecordedResource[], dir: string, checked: { count: number } = { count: 0 }): Unproduced[] {
  const groups = deployedGroups(resources);
  const uses = new Map<string, Set<string>>();
  for (const rule of groups.flatMap((g) => g.rules)) {
    for (const { text } of vectorSelectors(rule.expr)) uses.set(text, new Set([...(uses.get(text) ?? []), "alert" in rule ? rule.alert : rule.record]));
  }
  const list = [...uses.keys()];
  checked.count = list.length;
  fs.writeFileSync(path.join(dir, "rules.yml"), toYaml({ groups }));
  fs.writeFileSync(
    path.join(dir, "produced.test.yml"),
    toYaml({
      rule_files: ["rules.yml"],
      // Rules are evaluated every 5 minutes of the half hour: enough for rates over recorded series, and six
      // times cheaper than every minute over the ~25,000 series of a stack.
      evaluation_interval: "5m",
      tests: [
        {
          interval: "1m",
          // Counters grow, so every rate() over them is positive; gauges hold 1, so comparisons such as
          // `kube_pod_status_phase == 1` hold, and rates over them are 0, which is still a value.
          input_series: producedSeries(resources).map((s) => ({ series: seriesText(s), values: isCounter(s) ? `1+1x${EVAL_MINUTES}` : `1x${EVAL_MINUTES}` })),
          promql_expr_test: list.map((selector) => ({ expr: `absent(${selector})`, eval_time: `${EVAL_MINUTES}m`, exp_samples: [] })),
        },
      ],
    }),
  );
  const run = runPromtool(promtool, ["test", "rules", "produced.test.yml"], dir);
  const failed = [...run.output.matchAll(/expr: "absent\((.*)\)", time:/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
  if (run.status !== 0 && failed.length === 0) throw new Error(`promtool failed without naming a selector:\n${run.output}`);
  return failed.map((selector) => ({ selector, rules: [...(uses.get(selector) ?? [])] }));
}

/** The selectors that select nothing and are not known to be empty by design (EMPTY_SELECTORS). */
function findings(missing: readonly Unproduced[]): string[] {
  const known = (m: Unproduced) => EMPTY_SELECTORS.some((e) => e.selector === m.selector && m.rules.every((r) => e.rules.includes(r)));
  return missing.filter((m) => !known(m)).map(describeMissing);
}

describe(`every rule selects series the platform produces (promtool ${promtool.path})`, () => {
  let work: string;
  before(() => (work = fs.mkdtempSync(path.join(os.tmpdir(), "produced-series-"))));
  after(() => fs.rmSync(work, { recursive: true, force: true }));

  it("the exporters' metric lists state their source and version, and hold what the chart's rules read from them", () => {
    const lists = (["kube-state-metrics", "node-exporter", "cadvisor", "kubernetes", "prometheus", "alertmanager", "prometheus-operator", "config-reloader", "client-golang", "cert-manager", "external-secrets", "external-dns", "envoy-gateway"] as const).map(exporterMetrics);
    expect(lists.map((l) => `${l.exporter} ${l.version}`)).to.deep.equal([
      "kube-state-metrics v2.20.0",
      "node-exporter v1.12.1",
      "cadvisor v0.52.1",
      "kubernetes v1.34.4",
      "prometheus v3.14.0",
      "alertmanager v0.34.0",
      "prometheus-operator v0.93.0",
      "config-reloader v0.42.2",
      "client-golang v1.24.1",
      "cert-manager v1.21.1",
      "external-secrets v2.9.0",
      "external-dns v0.21.0",
      "envoy-gateway v1.9.0",
    ]);
    for (const list of lists) {
      expect(list.repository, list.exporter).to.match(/^https:\/\/github\.com\//);
      expect(list.read.length, `${list.exporter}: what was read`).to.be.greaterThan(0);
      expect(list.metrics.length, list.exporter).to.be.greaterThan(10);
    }
    const names = (exporter: (typeof lists)[number]) => new Set(exporter.metrics.map((m) => m.name));
    const [ksm, node, cadvisor, kubernetes, prometheus, alertmanager, operator, reloader, , certManager, externalSecrets, externalDns, envoyGateway] = lists.map(names);
    for (const [set, metric] of [
      [ksm, "kube_pod_container_status_waiting_reason"],
      [ksm, "kube_state_metrics_list_total"],
      [node, "node_filesystem_avail_bytes"],
      [node, "node_timex_offset_seconds"],
      [cadvisor, "container_memory_working_set_bytes"],
      [kubernetes, "apiserver_request_sli_duration_seconds"],
      [kubernetes, "kubelet_volume_stats_available_bytes"],
      [prometheus, "prometheus_rule_evaluation_failures_total"],
      [alertmanager, "alertmanager_cluster_members"],
      [operator, "prometheus_operator_syncs"],
      [reloader, "reloader_last_reload_successful"],
      [certManager, "certmanager_certificate_ready_status"],
      [externalSecrets, "externalsecret_status_condition"],
      [externalDns, "external_dns_controller_last_sync_timestamp_seconds"],
      [envoyGateway, "xds_nack_total"],
      [envoyGateway, "status_update_total"],
      [envoyGateway, "watchable_subscribe_total"],
    ] as const) {
      expect(set.has(metric), metric).to.equal(true);
    }
    // What nothing on an EKS node or this Prometheus exposes is in the lists too: the model leaves it out.
    expect(node.has("node_md_disks") && node.has("node_bonding_slaves") && prometheus.has("prometheus_remote_storage_samples_failed_total")).to.equal(true);
  });

  for (const stack of STACKS) {
    it(`${stack}: each selector of each deployed rule, with its matchers, matches a series of the stack's monitors' exporters, Probes or Pushgateway`, async () => {
      const plan = await planStack(stack);
      const dir = fs.mkdtempSync(path.join(work, `${stack}-`));
      expect(deployedGroups(plan.resources).length, "the plan deploys the rule groups").to.be.greaterThan(40);
      const checked = { count: 0 };
      const missing = unproduced(plan.resources, dir, checked);
      const found = findings(missing);
      expect(found, `selectors that select nothing the stack produces (disable their rules with a reason, components/alerting/symptoms.ts):\n${found.join("\n")}`).to.deep.equal([]);
      // Every selector known to be empty here still is, and still belongs to its rules.
      const stale = EMPTY_SELECTORS.filter((e) => !missing.some((m) => m.selector === e.selector && e.rules.every((r) => m.rules.includes(r)))).map((e) => e.selector);
      expect(stale, "entries of empty-selectors.ts that no longer apply").to.deep.equal([]);
      expect(checked.count, "distinct selectors checked").to.be.greaterThan(300);
    });
  }

  it("the check can fail: without the https Probes of the public hostnames, the certificate alerts and the platform namespaces' endpoint alerts read nothing", async () => {
    const plan = await planStack("production");
    const isHttpsProbe = (r: RecordedResource) => r.inputs.kind === "Probe" && String((r.inputs.spec as { module?: string }).module).startsWith("https");
    const withoutPublicProbe = plan.resources.filter((r) => !isHttpsProbe(r));
    expect(plan.resources.filter(isHttpsProbe).map((r) => (r.inputs.metadata as { name: string }).name).sort()).to.deep.equal(["api-public", "grafana-public"]);
    // Grafana's public probe is the only one outside the application namespaces, where team infrastructure's
    // EndpointDown and EndpointAvailabilityLow look.
    expect(findings(unproduced(withoutPublicProbe, fs.mkdtempSync(path.join(work, "no-probe-"))))).to.deep.equal([
      'probe_success{namespace!~"apps"} (EndpointDown, EndpointAvailabilityLow)',
      "probe_ssl_earliest_cert_expiry (TLSCertificateExpiringSoon)",
    ]);
  });

  it("an app with `hpa` gives kube-state-metrics its two HorizontalPodAutoscalers: every HPA selector dormant in the committed stacks selects them, but the platform namespaces' rule's", async () => {
    const stackFile = editedStackFile("production", (config) => (config["platform:apps"][0].hpa = { min: 3, max: 6, targetCpuPercent: 70 }));
    const record = await runProgram("production", { stackFile });
    const hpas = record.resources.filter((r) => r.inputs.kind === "HorizontalPodAutoscaler").map((r) => (r.inputs.metadata as { name: string }).name);
    expect(hpas.sort()).to.deep.equal(["api-blue", "api-green"]);
    const missing = unproduced(record.resources, fs.mkdtempSync(path.join(work, "hpa-")));
    expect(findings(missing)).to.deep.equal([]);
    const dormant = EMPTY_SELECTORS.filter((e) => e.selector.startsWith("kube_horizontalpodautoscaler_"));
    expect(dormant.map((e) => e.rules.join(", ")).sort()).to.deep.equal([
      ...Array(12).fill("HorizontalPodAutoscalerCannotScale"),
      "KubeHpaReplicasMismatch",
      ...Array(3).fill("KubeHpaReplicasMismatch, KubeHpaMaxedOut"),
    ]);
    const stillEmpty = dormant.filter((e) => missing.some((m) => m.selector === e.selector)).map((e) => e.selector);
    expect(stillEmpty).to.deep.equal(dormant.filter((e) => e.selector.includes('namespace!~"apps"')).map((e) => e.selector));
    expect(stillEmpty).to.have.lengthOf(6);
  });

  it("the check can fail: without the platform's ServiceMonitor of Envoy Gateway (its chart ships none), the controller's alerts read nothing", async () => {
    const plan = await planStack("production");
    const isGatewayMonitor = (r: RecordedResource) => r.inputs.kind === "ServiceMonitor" && (r.inputs.metadata as { namespace: string }).namespace === "gateway";
    expect(plan.resources.filter(isGatewayMonitor).map((r) => (r.inputs.metadata as { name: string }).name)).to.deep.equal(["envoy-gateway"]);
    expect(findings(unproduced(plan.resources.filter((r) => !isGatewayMonitor(r)), fs.mkdtempSync(path.join(work, "no-gateway-monitor-"))))).to.deep.equal([
      'xds_nack_total{job="envoy-gateway"} (EnvoyGatewayConfigRejected)',
      'watchable_subscribe_total{job="envoy-gateway", runner=~"gateway-api|xds|infrastructure", status="failure"} (EnvoyGatewayTranslationFailing)',
      'status_update_total{job="envoy-gateway", status="failure", reason="error"} (EnvoyGatewayStatusUpdatesFailing)',
      // And the target that says so: without it, ScrapeTargetsMissing fires for the job.
      'up{job="envoy-gateway"} (ScrapeTargetsMissing)',
    ]);
  });

  it("the check can fail: a backup CronJob that cannot reach the Pushgateway leaves the backup gauges unproduced", async () => {
    const plan = await planStack("production");
    const withoutPush = plan.resources.map((r) => {
      if (r.inputs.kind !== "CronJob") return r;
      const copy = structuredClone(r) as RecordedResource & { inputs: any };
      for (const c of copy.inputs.spec.jobTemplate.spec.template.spec.containers) c.env = c.env.filter((e: { name: string }) => e.name !== "PUSHGATEWAY_URL");
      return copy;
    });
    const missing = findings(unproduced(withoutPush, fs.mkdtempSync(path.join(work, "no-push-"))));
    expect(missing.length).to.be.greaterThan(0);
    expect(missing.every((m) => /^pg_(backup|restore_drill)_/.test(m)), missing.join("\n")).to.equal(true);
  });

  it("the check can fail: without kube-state-metrics' selfMonitor endpoint, the chart's KubeStateMetrics alerts read nothing", async () => {
    const plan = await planStack("production");
    const withoutSelfMonitor = plan.resources.map((r) => {
      if (r.inputs.kind !== "ServiceMonitor" || (r.inputs.metadata as { name: string }).name !== "kube-prometheus-stack-kube-state-metrics") return r;
      const copy = structuredClone(r) as RecordedResource & { inputs: any };
      copy.inputs.spec.endpoints = copy.inputs.spec.endpoints.filter((e: { port: string }) => e.port !== "metrics");
      return copy;
    });
    const missing = findings(unproduced(withoutSelfMonitor, fs.mkdtempSync(path.join(work, "no-self-monitor-"))));
    expect(missing.map((m) => m.replace(/\{.*/, "")).sort()).to.deep.equal([
      "kube_state_metrics_list_total",
      "kube_state_metrics_list_total",
      "kube_state_metrics_shard_ordinal",
      "kube_state_metrics_total_shards",
      "kube_state_metrics_watch_total",
      "kube_state_metrics_watch_total",
    ]);
  });

  it("the check can fail: the chart's systemd and RAID alerts, kept, would read what no EKS node exposes", async () => {
    const plan = await planStack("production");
    const chartRule = (alert: string, expr: string) => ({ alert, expr, labels: { severity: "warning" } });
    const kept = {
      type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      inputs: {
        kind: "PrometheusRule",
        metadata: { name: "kept-chart-alerts", namespace: "monitoring" },
        spec: {
          groups: [
            {
              name: "kept-chart-alerts",
              rules: [
                chartRule("NodeSystemdServiceFailed", 'node_systemd_unit_state{job="node-exporter", state="failed"} == 1'),
                chartRule("NodeRAIDDiskFailure", 'node_md_disks{state="failed",job="node-exporter"} > 0'),
              ],
            },
          ],
        },
      },
    } as unknown as RecordedResource;
    const missing = findings(unproduced([...plan.resources, kept], fs.mkdtempSync(path.join(work, "kept-"))));
    expect(missing).to.deep.equal([
      'node_systemd_unit_state{job="node-exporter", state="failed"} (NodeSystemdServiceFailed)',
      'node_md_disks{state="failed",job="node-exporter"} (NodeRAIDDiskFailure)',
    ]);
  });
});
