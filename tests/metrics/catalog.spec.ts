import { expect } from "chai";
import { register as globalRegistry, Registry } from "prom-client";
import {
  APP_METRICS,
  appMetrics,
  BACKUP_METRICS,
  BLUE_GREEN_SERIES_LABELS,
  EXPORTER_METRICS,
  knownSeriesNames,
  type PlatformMetrics,
  registerPlatformMetrics,
  SCRAPE_TARGET_LABELS,
} from "../../components/metrics";
import { committedSettings, planStack, STACKS } from "../harness";
import { resolvePromtool, runPromtool } from "../promtool";

type AnyMetric = { inc?: (l: Record<string, string>) => void; set?: (l: Record<string, string>, v: number) => void; observe?: (l: Record<string, string>, v: number) => void };

/** One observation on every metric, with every label set, so each exposes its full label set. */
function touchEverything(metrics: PlatformMetrics): void {
  for (const metric of appMetrics()) {
    const labels = Object.fromEntries(metric.labelNames.map((l) => [l, `${l}-value`]));
    const handle = metrics[metric.name] as unknown as AnyMetric;
    if (metric.type === "counter") handle.inc!(labels);
    else if (metric.type === "gauge") handle.set!(labels, 1);
    else handle.observe!(labels, 0.5);
  }
}

describe("metrics catalog", () => {
  it("registers exactly the catalog's names, types and help texts in the given registry", async () => {
    const registry = new Registry();
    registerPlatformMetrics(registry);
    const exposed = (await registry.getMetricsAsJSON()).map((m) => [m.name, m.type, m.help]).sort();
    const declared = appMetrics()
      .map((m) => [m.name, m.type, m.help])
      .sort();
    expect(exposed).to.deep.equal(declared);
    expect(exposed).to.have.lengthOf(38);
  });

  it("exposes each metric with exactly its declared labels, and histograms with exactly their declared buckets", async () => {
    const registry = new Registry();
    touchEverything(registerPlatformMetrics(registry));
    for (const metric of await registry.getMetricsAsJSON()) {
      const declared = APP_METRICS[metric.name as keyof typeof APP_METRICS];
      expect(metric.values, metric.name).to.not.be.empty;
      for (const value of metric.values as { labels: Record<string, string | number>; metricName?: string }[]) {
        const isBucket = value.metricName === `${metric.name}_bucket`;
        expect(Object.keys(value.labels).sort(), `${value.metricName ?? metric.name}`).to.deep.equal([...declared.labelNames, ...(isBucket ? ["le"] : [])].sort());
      }
      if (declared.type === "histogram") {
        const bounds = (metric.values as { labels: { le?: number | string }; metricName?: string }[]).filter((v) => v.metricName === `${metric.name}_bucket`).map((v) => v.labels.le);
        expect(bounds, metric.name).to.deep.equal([...declared.buckets, "+Inf"]);
      }
    }
  });

  it("returns handles typed by the catalog: the right prom-client class, label names checked by tsc", async () => {
    const registry = new Registry();
    const metrics = registerPlatformMetrics(registry);
    metrics.http_requests_total.inc({ method: "GET", route: "/orders/:id", status: "200", service: "orders" });
    metrics.db_pool_max_connections.set({ pool: "primary", service: "orders" }, 20);
    metrics.http_request_duration_seconds.observe({ method: "GET", route: "/orders/:id", service: "orders" }, 0.2);
    // @ts-expect-error `path` is not a label of http_requests_total (tsc fails this file if it were accepted)
    expect(() => metrics.http_requests_total.inc({ path: "/orders/1", service: "orders" })).to.throw('Added label "path" is not included in initial labelset');
    // @ts-expect-error a gauge has no observe()
    expect(() => metrics.active_sessions.observe({ service: "orders" }, 1)).to.throw(TypeError);
    expect(await registry.getSingleMetricAsString("db_pool_max_connections")).to.contain('db_pool_max_connections{pool="primary",service="orders"} 20');
  });

  it("gives every application metric a service label, and leaves prom-client's global registry alone", async () => {
    for (const metric of appMetrics()) expect(metric.labelNames, metric.name).to.include("service");
    registerPlatformMetrics(new Registry());
    const global = new Set((await globalRegistry.getMetricsAsJSON()).map((m) => m.name));
    for (const metric of appMetrics()) expect(global.has(metric.name), metric.name).to.equal(false);
  });

  it("refuses to register the catalog twice in one registry (prom-client names are unique)", () => {
    const registry = new Registry();
    registerPlatformMetrics(registry);
    expect(() => registerPlatformMetrics(registry)).to.throw("A metric with the name http_requests_total has already been registered.");
  });

  it("declares strictly ascending buckets for every histogram", () => {
    for (const metric of appMetrics().filter((m) => m.type === "histogram")) {
      const buckets = metric.buckets!;
      expect(buckets.every((b, i) => i === 0 || b > buckets[i - 1]), metric.name).to.equal(true);
    }
  });

  it("passes promtool's metric lint except for the two names kept from the seed (users_total, data_volume_processed_bytes)", async () => {
    const registry = new Registry();
    touchEverything(registerPlatformMetrics(registry));
    const run = runPromtool(resolvePromtool(), ["check", "metrics"], ".", await registry.metrics());
    const findings = run.output.split("\n").filter((l) => l.trim() !== "").sort();
    expect(findings).to.deep.equal([
      'data_volume_processed_bytes counter metrics should have "_total" suffix',
      'users_total non-counter metrics should not have "_total" suffix',
    ]);
    // promtool's exit status for lint findings (as opposed to 1 for unparseable input).
    expect(run.status).to.equal(3);
  });
});

describe("application labels and the scrape's", () => {
  it("no application metric has a label the scrape sets, but `service`: the app's would replace it (users_total's `role` hid role=\"preview\")", () => {
    const scrape: readonly string[] = SCRAPE_TARGET_LABELS;
    const collisions = appMetrics().flatMap((m) => m.labelNames.filter((l) => l !== "service" && scrape.includes(l)).map((l) => `${m.name}: ${l}`));
    expect(collisions).to.deep.equal([]);
    expect(APP_METRICS.users_total.labelNames).to.deep.equal(["user_role", "service"]);
  });

  for (const stack of STACKS) {
    it(`${stack}: the apps' ServiceMonitors honor the apps' labels and relabel only onto labels SCRAPE_TARGET_LABELS names`, async () => {
      const plan = await planStack(stack);
      const namespaces = new Set(committedSettings(stack).apps.map((app) => app.namespace));
      const monitors = plan.resources.filter((r) => r.inputs.kind === "ServiceMonitor" && namespaces.has((r.inputs.metadata as { namespace: string }).namespace));
      expect(monitors).to.not.have.lengthOf(0);
      const endpoints = monitors.flatMap((r) => (r.inputs.spec as { endpoints: { honorLabels?: boolean; relabelings?: { targetLabel?: string }[] }[] }).endpoints);
      expect(endpoints.map((e) => e.honorLabels)).to.deep.equal(endpoints.map(() => true));
      const relabelled = [...new Set(endpoints.flatMap((e) => (e.relabelings ?? []).flatMap((r) => (r.targetLabel ? [r.targetLabel] : []))))].sort();
      expect(relabelled).to.deep.equal(["color", "role", "service", "version"]);
      expect(SCRAPE_TARGET_LABELS).to.include.members(relabelled);
    });
  }
});

describe("exporter and backup metrics", () => {
  it("lists each exporter metric once, apart from the application catalog", () => {
    const names = EXPORTER_METRICS.map((m) => m.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const name of names) expect(APP_METRICS, name).to.not.have.property(name);
    for (const name of [
      "up",
      "kube_cronjob_status_last_successful_time",
      "kube_cronjob_created",
      "kube_job_status_failed",
      "probe_success",
      "probe_ssl_earliest_cert_expiry",
      "probe_http_status_code",
      "prometheus_rule_group_last_duration_seconds",
      "prometheus_rule_group_interval_seconds",
      "container_memory_working_set_bytes",
    ]) {
      expect(names, name).to.include(name);
    }
  });

  it("documents the blue-green series labels on `up`, which the preview rules read", () => {
    expect(Object.keys(BLUE_GREEN_SERIES_LABELS)).to.deep.equal(["role", "color"]);
    expect(BLUE_GREEN_SERIES_LABELS.role.values).to.deep.equal(["active", "preview"]);
    expect(EXPORTER_METRICS.find((m) => m.name === "up")!.labels).to.include.members(["role", "color", "service", "namespace", "pod"]);
  });

  it("keys every pushed backup and restore-drill gauge by database", () => {
    expect(Object.keys(BACKUP_METRICS).sort()).to.deep.equal([
      "pg_backup_duration_seconds",
      "pg_backup_last_failure_timestamp_seconds",
      "pg_backup_last_success_timestamp_seconds",
      "pg_backup_retained_backups",
      "pg_backup_size_bytes",
      "pg_restore_drill_duration_seconds",
      "pg_restore_drill_last_failure_timestamp_seconds",
      "pg_restore_drill_last_success_timestamp_seconds",
      "pg_restore_drill_restore_duration_seconds",
    ]);
    for (const [name, metric] of Object.entries(BACKUP_METRICS)) expect([metric.type, metric.labelNames], name).to.deep.equal(["gauge", ["database"]]);
  });

  it("knows histogram series by their _bucket, _sum and _count names, not the bare name", () => {
    const known = knownSeriesNames();
    for (const suffix of ["_bucket", "_sum", "_count"]) expect(known.has(`http_request_duration_seconds${suffix}`), suffix).to.equal(true);
    expect(known.has("http_request_duration_seconds")).to.equal(false);
    expect(known.has("pg_backup_last_success_timestamp_seconds")).to.equal(true);
  });
});
