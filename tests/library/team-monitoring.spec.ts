import { expect } from "chai";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { RecordedResource } from "../../plan/mocks";
import { type PlanRecord, REPOSITORY_ROOT, runProgram } from "../../plan/run-program";
import { installedExample } from "./fixtures/package";

/**
 * A consumer of `platform/monitoring`: examples/team-monitoring, a team's own cluster monitoring with
 * MonitoringStack, the library installed from the packed tarball into a folder outside the repository. It
 * type-checks against the entry's declarations and plans under the mock runtime.
 */
describe("a team's monitoring using the packed library's platform/monitoring (examples/team-monitoring)", function () {
  this.timeout(600_000);
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let plan: PlanRecord;
  const CLUSTER = "urn:pulumi:staging::platform::pulumi:providers:kubernetes::cluster";

  before(async () => {
    consumer = await installedExample("team-monitoring");
    plan = await runProgram("staging", { projectDir: consumer.projectDir, config: { values: { "observability:kubeContext": "payments-staging" }, secretKeys: [] }, renderCharts: false });
  });
  after(() => consumer?.dispose());

  const one = (type: string, name: string): RecordedResource => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.lengthOf(1);
    return found[0];
  };

  it("loads platform/monitoring from the installed tarball, not from the repository", () => {
    const entry = path.join(fs.realpathSync(consumer.projectDir), "node_modules", "platform", "dist", "lib", "monitoring.js");
    expect(createRequire(path.join(consumer.projectDir, "index.ts")).resolve("platform/monitoring")).to.equal(entry);
    expect(Object.keys(require.cache)).to.include(entry);
    expect(Object.keys(require.cache).filter((file) => file.startsWith(path.join(REPOSITORY_ROOT, "dist")))).to.deep.equal([]);
  });

  it("type-checks against the entry's type declarations", async () => {
    const { stdout, stderr } = await promisify(execFile)(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: consumer.projectDir });
    expect(stdout + stderr).to.equal("");
  });

  it("registers exactly the monitoring stack, with its database exporter and the OTLP path of the team's namespace, nothing of AWS", () => {
    expect(plan.resources.map((r) => `${r.type}::${r.name}`)).to.have.members([
      "pulumi:providers:kubernetes::cluster",
      "platform:index:MonitoringStack::observability",
      "platform:monitoring:MonitoringStack::observability",
      "platform:monitoring:KubePrometheusStack::observability-kps",
      "kubernetes:core/v1:Secret::observability-kps-grafana-admin",
      "random:index/randomPassword:RandomPassword::observability-kps-grafana-admin-password",
      "kubernetes:helm.sh/v3:Release::observability-kps-release",
      "kubernetes:rbac.authorization.k8s.io/v1:Role::observability-kps-grafana-sidecars",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-kps-webhook-from-api-server",
      "platform:monitoring:Loki::observability-loki",
      "kubernetes:helm.sh/v3:Release::observability-loki-release",
      "platform:monitoring:Tempo::observability-tempo",
      "kubernetes:helm.sh/v3:Release::observability-tempo-release",
      "kubernetes:core/v1:Service::observability-tempo-headless",
      "platform:monitoring:LogCollector::observability-alloy",
      "kubernetes:helm.sh/v4:Chart::observability-alloy-chart",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-alloy-egress-to-api-server",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-alloy-egress-to-loki-gateway",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-alloy-egress-to-tempo",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-alloy-metrics-from-prometheus",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-alloy-otlp-from-app-namespaces",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-loki-gateway-from-alloy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-tempo-otlp-from-alloy",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::observability-otlp-egress-payments",
      "platform:monitoring:BlackboxExporter::observability-blackbox",
      "kubernetes:helm.sh/v4:Chart::observability-blackbox-chart",
      "kubernetes:helm.sh/v4:Chart::observability-pushgateway",
      "platform:monitoring:DataTierExporters::observability-exporters",
      "kubernetes:helm.sh/v4:Chart::observability-exporters-postgres-ledger",
    ]);
    expect(one("pulumi:providers:kubernetes", "cluster").inputs.context).to.equal("payments-staging");
  });

  it("sends every Kubernetes object and chart through the team's provider", () => {
    const custom = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect(custom, "a Secret, a Role, 3 Releases, Tempo's headless Service, 9 NetworkPolicies").to.have.lengthOf(15);
    expect([...new Set(custom.map((r) => r.provider))]).to.deep.equal([CLUSTER]);
    // helm.v4.Chart is a component: the provider travels in its providers map, to the objects it renders.
    const charts = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
    expect(charts.map((r) => [r.name, r.providers])).to.deep.equal(charts.map((r) => [r.name, { kubernetes: CLUSTER }]));
  });

  it("gives the charts the team's cluster name, domain, retention and sizes, with the documented defaults for the rest", () => {
    const kps = one("kubernetes:helm.sh/v3:Release", "observability-kps-release").inputs as any;
    expect([kps.namespace, kps.chart, kps.version]).to.deep.equal(["monitoring", "kube-prometheus-stack", "88.5.3"]);
    const prometheus = kps.values.prometheus.prometheusSpec;
    expect(prometheus.externalLabels).to.deep.equal({ cluster: "payments-staging", environment: "staging" });
    expect([prometheus.retention, prometheus.retentionSize]).to.deep.equal(["15d", "40GB"]);
    // Ephemeral storage is not the team's to size: logs only, the TSDB lives on its volume.
    expect(prometheus.resources).to.deep.equal({ requests: { cpu: "500m", memory: "2Gi", "ephemeral-storage": "64Mi" }, limits: { cpu: "500m", memory: "2Gi", "ephemeral-storage": "256Mi" } });
    expect(kps.values.grafana["grafana.ini"].server).to.deep.equal({ root_url: "https://grafana.payments.example.com" });
    expect(kps.values.alertmanager.alertmanagerSpec.configSecret, "default alertmanagerConfigSecret").to.equal("alertmanager-platform-config");
    const loki = one("kubernetes:helm.sh/v3:Release", "observability-loki-release").inputs as any;
    expect(loki.values.loki.limits_config.retention_period, "logRetention 14d").to.equal("336h");
    expect((one("kubernetes:helm.sh/v4:Chart", "observability-alloy-chart").inputs as any).namespace, "default nodeAgentsNamespace").to.equal("node-agents");
  });

  it("runs the ledger's postgres-exporter with its password from the team's Secret, and opens OTLP from the payments namespace", () => {
    const exporter = one("kubernetes:helm.sh/v4:Chart", "observability-exporters-postgres-ledger").inputs as any;
    expect(exporter.namespace).to.equal("monitoring");
    expect(exporter.values.config.datasource).to.deep.equal({
      host: "ledger.db.internal",
      port: "5432",
      database: "ledger",
      user: "monitor",
      sslmode: "verify-full",
      passwordSecret: { name: "ledger-db-monitor", key: "password" },
      extraParams: "sslrootcert=/etc/postgres-server-ca/postgres-server-ca.pem",
    });
    expect(exporter.values.initContainers[0].image, "the CA bundle from the team's serverCaImage").to.equal("ghcr.io/example/platform-pg-backup:15.18-1");
    const egress = one("kubernetes:networking.k8s.io/v1:NetworkPolicy", "observability-otlp-egress-payments").inputs as any;
    expect([egress.metadata.namespace, egress.metadata.name]).to.deep.equal(["payments", "allow-egress-otlp-to-alloy"]);
    const admin = one("kubernetes:core/v1:Secret", "observability-kps-grafana-admin");
    expect(admin.secretPaths, "Grafana's generated admin password stays a secret").to.deep.equal(["stringData"]);
  });
});
