import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlertRules, type BlueGreenAppArgs, BlueGreenApp, ComponentArgsError, PlatformDashboards, PlatformNamespace, type PlatformNamespaceArgs } from "../../lib";
import { useMockStack } from "../../plan/mocks";
import { type PlanRecord, recordRegistrations, REPOSITORY_ROOT } from "../../plan/run-program";
import { renderChartObjects } from "../../plan/render-charts";
import { readStackConfig } from "../../plan/stack-file";
import { committedSettings, planStack, type StackName, STACKS } from "../harness";
import { alertRulesArgsOf, appArgsOf, databaseBackupsArgsOf, monitoringStackArgsOf, namespaceArgsOf } from "./fixtures/library-args";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { DATABASE_BACKUPS_DEFAULTS, DatabaseBackups, PostgresBackup, type PostgresBackupArgs } from "../../lib/backups";
import { MONITORING_STACK_DEFAULTS, MonitoringStack, type MonitoringStackArgs } from "../../lib/monitoring";
import * as fs from "node:fs";
import { parse } from "yaml";
import { targetProviderSettings } from "../../components/platform/target";
import { subtree } from "./fixtures/subtree";

/**
 * The library entry (lib/): importing it creates nothing, its components render exactly the objects the
 * program renders for the same entry of a stack, defaults are the documented ones, explicit providers reach
 * every object, and bad arguments fail with key-path messages before anything is registered.
 */

/** Runs `register` under the mock runtime, with the committed stack's configuration (and its disabled default providers). */
function underMocks(stack: StackName, register: () => void): Promise<PlanRecord> {
  const file = readStackConfig(REPOSITORY_ROOT, stack);
  useMockStack(stack, file.values, file.secretKeys);
  return recordRegistrations(stack, register);
}

const clusterProvider = () => new k8s.Provider("team-cluster", { context: "team-context" });

const API_ARGS: BlueGreenAppArgs = {
  name: "checkout",
  namespace: "shop",
  environment: "production",
  port: 8080,
  images: { blue: "ghcr.io/example/checkout:2.3.0", green: "ghcr.io/example/checkout:2.4.0" },
  activeColor: "green",
  replicas: 3,
  resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
};

const SHOP_NAMESPACE: PlatformNamespaceArgs = {
  name: "shop",
  environment: "production",
  team: "checkout",
  quota: { requestsCpu: "8", requestsMemory: "16Gi", limitsCpu: "16", limitsMemory: "32Gi", pods: 60, persistentVolumeClaims: 0, loadBalancers: 0 },
  limitRange: { defaultRequest: { cpu: "100m", memory: "128Mi" }, defaultLimit: { cpu: "500m", memory: "512Mi" }, maxLimit: { cpu: "2", memory: "4Gi" } },
  maxNodes: 10,
};

const ORDERS_BACKUP: PostgresBackupArgs = {
  stack: "team",
  environment: "staging",
  database: { name: "orders", host: "orders.db.internal", port: 5432, database: "orders", user: "backup", sslMode: "verify-full", passwordSecret: { name: "orders-db", key: "password" }, drillTables: ["public.orders"] },
  bucket: "team-backups",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789",
};

/** DatabaseBackups in staging of the orders database as ORDERS_BACKUP has it, with `changes`. */
function stagingBackupsOf(changes: Partial<PostgresBackupArgs["database"]>): DatabaseBackups {
  return new DatabaseBackups("backups", {
    stack: "team",
    environment: "staging",
    region: "eu-west-1",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
    databases: [{ ...ORDERS_BACKUP.database, ...changes }],
  });
}

/** The error a component throws for `args`, and what was registered meanwhile. */
async function failure(construct: () => void): Promise<{ error: Error; registered: number }> {
  let error: Error | undefined;
  const record = await underMocks("staging", () => {
    try {
      construct();
    } catch (err) {
      error = err as Error;
    }
  });
  expect(error, "the component accepted arguments it must refuse").to.be.instanceOf(ComponentArgsError);
  // Providers the case itself creates for the component are the caller's, not the component's.
  return { error: error!, registered: record.resources.filter((r) => !r.type.startsWith("pulumi:providers:")).length };
}

describe("library entry (lib/)", () => {
  it("creates nothing when imported: no engine is needed to load lib, lib/backups, lib/monitoring and lib/program", () => {
    // A registration without an engine fails loudly ("Program run without the Pulumi engine available").
    const result = spawnSync(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "node"), ["--require", "tsx/cjs", "-e", "require('./lib'); require('./lib/backups'); require('./lib/monitoring'); require('./lib/program'); console.log('loaded')"], {
      cwd: REPOSITORY_ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.stderr).to.equal("");
    expect(result.stdout).to.equal("loaded\n");
    expect(result.status).to.equal(0);
  });

  for (const stack of STACKS) {
    it(`${stack}: PlatformNamespace renders every namespace of the stack exactly as the program does`, async () => {
      const settings = committedSettings(stack);
      const program = await planStack(stack);
      const library = await underMocks(stack, () => {
        const kubernetes = clusterProvider();
        for (const ns of settings.namespaces) new PlatformNamespace(`platform-${ns.name}`, namespaceArgsOf(settings, ns), { providers: { kubernetes } });
      });
      for (const ns of settings.namespaces) {
        const expected = subtree(program.resources, "platform:core:PlatformNamespace", `platform-${ns.name}`);
        expect(expected.length, `${ns.name}: objects in the program`).to.be.greaterThan(3);
        expect(subtree(library.resources, "platform:core:PlatformNamespace", `platform-${ns.name}`), ns.name).to.deep.equal(expected);
      }
    });

    it(`${stack}: BlueGreenApp renders every app of the stack exactly as the program does, secrets included`, async () => {
      const settings = committedSettings(stack);
      const program = await planStack(stack);
      const library = await underMocks(stack, () => {
        const kubernetes = clusterProvider();
        for (const app of settings.apps) new BlueGreenApp(`platform-app-${app.name}`, appArgsOf(settings, app), { providers: { kubernetes } });
      });
      expect(settings.apps.length).to.be.greaterThan(0);
      for (const app of settings.apps) {
        const expected = subtree(program.resources, "platform:apps:BlueGreenApp", `platform-app-${app.name}`);
        expect(expected.length, `${app.name}: objects in the program`).to.be.greaterThan(10);
        expect(subtree(library.resources, "platform:apps:BlueGreenApp", `platform-app-${app.name}`), app.name).to.deep.equal(expected);
      }
    });

    it(`${stack}: AlertRules and PlatformDashboards render the program's rule groups and dashboards exactly`, async () => {
      const settings = committedSettings(stack);
      const program = await planStack(stack);
      const library = await underMocks(stack, () => {
        const providers = { kubernetes: clusterProvider() };
        new AlertRules("platform-alert-rules", alertRulesArgsOf(settings), { providers });
        new PlatformDashboards("platform-dashboards", { environment: settings.environment, alertThresholds: settings.alertThresholds, namespace: settings.monitoringNamespace }, { providers });
      });
      for (const [type, name, least] of [
        ["platform:alerting:AlertRules", "platform-alert-rules", 10],
        ["platform:dashboards:PlatformDashboards", "platform-dashboards", 8],
      ] as const) {
        const expected = subtree(program.resources, type, name);
        expect(expected.length, `${name}: objects in the program`).to.be.at.least(least);
        expect(subtree(library.resources, type, name), name).to.deep.equal(expected);
      }
    });

    it(`${stack}: DatabaseBackups (platform/backups) renders the program's bucket, keys, roles and CronJobs exactly`, async () => {
      const settings = { ...committedSettings(stack), stack };
      const program = await planStack(stack);
      const library = await underMocks(stack, () => {
        const target = targetProviderSettings(settings);
        const providers = { kubernetes: clusterProvider(), aws: new AwsProvider("team-account", target.aws) };
        const replica = settings.backupReplicaRegion === "" ? undefined : { region: settings.backupReplicaRegion, provider: new AwsProvider("team-replica", { ...target.aws, region: settings.backupReplicaRegion }) };
        new DatabaseBackups("platform-backups", { ...databaseBackupsArgsOf(settings), ...(replica ? { replica } : {}) }, { providers });
      });
      const expected = subtree(program.resources, "platform:backups:DatabaseBackups", "platform-backups");
      expect(expected.length, "objects in the program").to.be.at.least(15);
      expect(subtree(library.resources, "platform:backups:DatabaseBackups", "platform-backups")).to.deep.equal(expected);
    });
    it(`${stack}: PostgresBackup (platform/backups) renders the program's backup and restore-drill CronJobs of each database exactly, into DatabaseBackups' bucket and key`, async () => {
      const settings = { ...committedSettings(stack), stack };
      const program = await planStack(stack);
      const args = databaseBackupsArgsOf(settings);
      const { databases, region, oidcProviderArn, ...shared } = args;
      expect(databases.length, "databases with backups").to.be.greaterThan(0);
      const library = await underMocks(stack, () => {
        const providers = { kubernetes: clusterProvider(), aws: new AwsProvider("team-account", targetProviderSettings(settings).aws) };
        // The bucket, key and ServiceAccount of a DatabaseBackups that backs up another database; each of the
        // stack's databases is added to them with a PostgresBackup of its own.
        const storage = new DatabaseBackups("platform-backups", { ...args, databases: [{ ...databases[0], name: "other-db" }] }, { providers });
        for (const database of databases) {
          new PostgresBackup(`platform-backups-${database.name}`, { ...shared, database, bucket: storage.bucketName, kmsKeyArn: storage.kmsKeyArn }, { providers });
        }
      });
      for (const database of databases) {
        const name = `platform-backups-${database.name}`;
        const expected = subtree(program.resources, "platform:backups:PostgresBackup", name);
        expect(expected.map((r: any) => r.inputs.kind ?? r.type), name).to.have.members(["ConfigMap", "CronJob", "CronJob"]);
        expect(subtree(library.resources, "platform:backups:PostgresBackup", name), name).to.deep.equal(expected);
        const own = subtree(library.resources, "platform:index:PostgresBackup", name) as { type: string; custom: boolean }[];
        expect(own.filter((r) => r.custom).length, `${name}: objects`).to.equal(3);
      }
      // Every object of the PostgresBackup components goes through the caller's Kubernetes provider.
      const roots = new Set(library.resources.filter((r) => r.type === "platform:index:PostgresBackup").map((r) => r.urn));
      const inside = (r: (typeof library.resources)[number]): boolean => r.parent !== undefined && (roots.has(r.parent) || inside(library.resources.find((p) => p.urn === r.parent)!));
      const objects = library.resources.filter((r) => r.custom && inside(r));
      expect(objects.length).to.equal(3 * databases.length);
      expect([...new Set(objects.map((r) => r.provider))]).to.deep.equal([`urn:pulumi:${stack}::platform::pulumi:providers:kubernetes::team-cluster`]);
    });

    it(`${stack}: PostgresBackup and DatabaseBackups size the dump and restore volumes from the database's dumpVolumeSize and restoreVolumeSize, the backup Job's deadline from its runDeadline and the drill's row minimum from its drillMinRows`, async () => {
      const settings = { ...committedSettings(stack), stack };
      const { databases, region, oidcProviderArn, ...shared } = databaseBackupsArgsOf(settings);
      const large = { ...databases[0], dumpVolumeSize: "150Gi", restoreVolumeSize: "600Gi", runDeadline: "6h", drillMinRows: 5000 };
      const library = await underMocks(stack, () => {
        const providers = { kubernetes: clusterProvider(), aws: new AwsProvider("team-account", targetProviderSettings(settings).aws) };
        const storage = new DatabaseBackups("platform-backups", { ...shared, region, oidcProviderArn, databases: [{ ...large, name: "big-db" }] }, { providers });
        new PostgresBackup("platform-backups-orders", { ...shared, database: large, bucket: storage.bucketName, kmsKeyArn: storage.kmsKeyArn }, { providers });
      });
      const volumes = (cronJob: string) =>
        Object.fromEntries(
          (library.resources.find((r) => r.inputs.kind === "CronJob" && (r.inputs.metadata as { name: string }).name === cronJob)!.inputs as any).spec.jobTemplate.spec.template.spec.volumes
            .filter((v: any) => v.ephemeral)
            .map((v: any) => [v.name, v.ephemeral.volumeClaimTemplate.spec.resources.requests.storage]),
        );
      const jobSpec = (cronJob: string) => (library.resources.find((r) => r.inputs.kind === "CronJob" && (r.inputs.metadata as { name: string }).name === cronJob)!.inputs as any).spec.jobTemplate.spec;
      for (const db of ["big-db", "orders"]) {
        expect(jobSpec(`pg-backup-${db}`).activeDeadlineSeconds, db).to.equal(6 * 3600);
        expect(volumes(`pg-backup-${db}`), db).to.deep.equal({ scratch: "150Gi" });
        expect(volumes(`pg-restore-drill-${db}`), db).to.deep.equal({ scratch: "150Gi", "drill-data": "600Gi" });
        expect(jobSpec(`pg-restore-drill-${db}`).template.spec.containers[0].env.filter((e: any) => e.name === "DRILL_MIN_ROWS"), db).to.deep.equal([{ name: "DRILL_MIN_ROWS", value: "5000" }]);
      }
    });

    it(`${stack}: MonitoringStack (platform/monitoring) renders the program's charts, buckets, exporters and NetworkPolicies exactly, through the caller's providers`, async () => {
      const settings = { ...committedSettings(stack), stack };
      const program = await planStack(stack);
      const library = await underMocks(stack, () => {
        const providers = { kubernetes: clusterProvider(), aws: new AwsProvider("team-account", targetProviderSettings(settings).aws) };
        new MonitoringStack("platform-monitoring", monitoringStackArgsOf(settings), { providers });
      });
      // The program's plan holds the objects its charts render; render the library's the same way (pinned archives).
      const rendered = await renderChartObjects(stack, library.resources, { projectDir: REPOSITORY_ROOT, missingArchive: "fail" });
      expect(rendered.objects.length, "objects the charts render").to.be.at.least(100);
      const resources = [...library.resources, ...rendered.objects];
      const expected = subtree(program.resources, "platform:monitoring:MonitoringStack", "platform-monitoring");
      expect(expected.length, "objects in the program").to.be.at.least(20);
      expect(subtree(resources, "platform:monitoring:MonitoringStack", "platform-monitoring")).to.deep.equal(expected);
      // Every object goes through the provider of its kind the caller passed; Grafana's generated admin password
      // is the one exception, as in the program: the random provider has no configuration to pass.
      const providers = new Set(resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).map((r) => `${r.type.split(":")[0]} ${r.provider}`));
      const viaAws = stack === "production" ? ["aws urn:pulumi:production::platform::pulumi:providers:aws::team-account"] : [];
      expect([...providers].sort()).to.deep.equal([...viaAws, `kubernetes urn:pulumi:${stack}::platform::pulumi:providers:kubernetes::team-cluster`, "random undefined"]);
      expect(library.resources.filter((r) => r.parent === undefined).map((r) => `${r.type}::${r.name}`)).to.have.members([
        "pulumi:providers:kubernetes::team-cluster",
        "pulumi:providers:aws::team-account",
        "platform:index:MonitoringStack::platform-monitoring",
      ]);
    });
  }

  it("passes the caller's explicit Kubernetes provider to every object, through the component tree", async () => {
    const record = await underMocks("production", () => {
      const kubernetes = clusterProvider();
      const shop = new PlatformNamespace("shop", SHOP_NAMESPACE, { providers: { kubernetes } });
      new BlueGreenApp("checkout", API_ARGS, { providers: { kubernetes }, dependsOn: [shop] });
    });
    const objects = record.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    const kinds = objects.reduce<Record<string, number>>((n, r) => ({ ...n, [String(r.inputs.kind)]: (n[String(r.inputs.kind)] ?? 0) + 1 }), {});
    // The namespace's Namespace, quota, limits and 4 NetworkPolicies; the app's 15 objects (production: no delay Job).
    expect(kinds).to.deep.equal({ Namespace: 1, ResourceQuota: 1, LimitRange: 1, NetworkPolicy: 6, ServiceAccount: 1, ConfigMap: 1, Service: 4, PodDisruptionBudget: 2, Deployment: 2, Job: 1, ServiceMonitor: 1, Probe: 1 });
    expect([...new Set(objects.map((r) => r.provider))]).to.deep.equal(["urn:pulumi:production::platform::pulumi:providers:kubernetes::team-cluster"]);
    // The public components are the roots of their trees, typed as the component package serves them.
    expect(record.resources.filter((r) => r.parent === undefined).map((r) => `${r.type}::${r.name}`)).to.have.members([
      "pulumi:providers:kubernetes::team-cluster",
      "platform:index:PlatformNamespace::shop",
      "platform:index:BlueGreenApp::checkout",
    ]);
  });

  it("passes the caller's explicit Kubernetes provider to every object of AlertRules and PlatformDashboards", async () => {
    const settings = committedSettings("production");
    const record = await underMocks("production", () => {
      const providers = { kubernetes: clusterProvider() };
      new AlertRules("rules", alertRulesArgsOf(settings), { providers });
      new PlatformDashboards("dashboards", { environment: "production", alertThresholds: settings.alertThresholds }, { providers });
    });
    const objects = record.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.name !== "team-cluster");
    const kinds = [...new Set(objects.map((r) => String(r.inputs.kind)))].sort();
    expect(kinds).to.deep.equal(["ConfigMap", "PrometheusRule"]);
    expect(objects.length).to.be.at.least(18);
    expect([...new Set(objects.map((r) => r.provider))]).to.deep.equal(["urn:pulumi:production::platform::pulumi:providers:kubernetes::team-cluster"]);
    expect(record.resources.filter((r) => r.parent === undefined).map((r) => `${r.type}::${r.name}`)).to.have.members([
      "pulumi:providers:kubernetes::team-cluster",
      "platform:index:AlertRules::rules",
      "platform:index:PlatformDashboards::dashboards",
    ]);
  });

  it("applies the documented defaults of PostgresBackup: the platform's namespaces, ServiceAccount, schedules, retention and image", async () => {
    const record = await underMocks("staging", () => {
      new PostgresBackup("orders", { ...ORDERS_BACKUP }, { providers: { kubernetes: clusterProvider() } });
    });
    const cronJob = (name: string) => record.resources.find((r) => r.type === "kubernetes:batch/v1:CronJob" && r.name === name)!.inputs as any;
    const backup = cronJob("orders-backup");
    const drill = cronJob("orders-restore-drill");
    expect(backup.metadata.namespace, "namespace").to.equal("backups");
    expect(backup.spec.schedule, "schedule").to.equal("0 2 * * *");
    expect(drill.spec.schedule, "drillSchedule").to.equal("0 5 * * 0");
    const pod = backup.spec.jobTemplate.spec.template.spec;
    expect(pod.serviceAccountName, "serviceAccount").to.equal("pg-backup");
    expect(pod.containers[0].image, "image").to.equal("ghcr.io/example/platform-pg-backup:15.18-1");
    const env = Object.fromEntries(pod.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    expect(env, "retention, keepLast, prefix, bucket, key, Pushgateway").to.include({
      BACKUP_RETENTION_DAYS: "30",
      BACKUP_KEEP_LAST: "7",
      BACKUP_PREFIX: "team/orders",
      BACKUP_BUCKET: "team-backups",
      BACKUP_KMS_KEY_ID: ORDERS_BACKUP.kmsKeyArn,
      PUSHGATEWAY_URL: "http://pushgateway-prometheus-pushgateway.monitoring.svc.cluster.local:9091",
    });
    expect(backup.metadata.annotations["platform.io/recovery-point-objective"], "no point-in-time recovery: the schedule's gap").to.equal("24h");
    expect(backup.metadata.annotations["platform.io/recovery-time-objective"], "recoveryTimeObjective").to.equal("4h");
  });

  it("applies the documented defaults of PlatformNamespace", async () => {
    const record = await underMocks("production", () => {
      new PlatformNamespace("shop", SHOP_NAMESPACE, { providers: { kubernetes: clusterProvider() } });
    });
    const ns = record.resources.find((r) => r.type === "kubernetes:core/v1:Namespace")!;
    const labels = (ns.inputs.metadata as { labels: Record<string, string> }).labels;
    expect(labels["pod-security.kubernetes.io/enforce"], "podSecurity").to.equal("restricted");
    expect(ns.options.protect, "no PersistentVolumeClaims: nothing to protect").to.equal(false);
    const policies = record.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.inputs as any);
    const ingressFrom = policies.flatMap((p) => (p.spec.ingress ?? []).flatMap((rule: any) => rule.from ?? []));
    // monitoringNamespace defaults to monitoring: its scrapes are admitted; ingressFromNamespaces and egress default to none.
    expect(ingressFrom.map((peer: any) => peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"]).filter(Boolean)).to.deep.equal(["monitoring"]);
    const egressTo = policies.flatMap((p) => (p.spec.egress ?? []).flatMap((rule: any) => rule.to ?? []));
    expect(egressTo.some((peer: any) => peer.ipBlock), "no internet egress").to.equal(false);
  });

  it("applies the documented defaults of BlueGreenApp", async () => {
    const record = await underMocks("staging", () => {
      new BlueGreenApp("checkout", { ...API_ARGS, environment: "staging" }, { providers: { kubernetes: clusterProvider() } });
    });
    const deployment = (color: string) => record.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === `checkout-${color}`)!.inputs as any;
    // previewReplicas: 0 in staging; the active colour (green) runs replicas.
    expect(deployment("green").spec.replicas).to.equal(3);
    expect(deployment("blue").spec.replicas).to.equal(0);
    const container = deployment("green").spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    expect(env.LOG_LEVEL, "defaultLogLevel").to.equal("INFO");
    expect(env.OTEL_TRACES_SAMPLER_ARG, "defaultTraceSamplingPercent").to.equal("0.1");
    expect(env.OTEL_EXPORTER_OTLP_PROTOCOL, "tracing.protocol").to.equal("http/protobuf");
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT, "traceCollectorNamespace").to.equal("http://alloy.node-agents.svc.cluster.local:4318");
    expect(container.livenessProbe.httpGet.path).to.equal("/health/live");
    expect(container.readinessProbe.httpGet.path).to.equal("/health/ready");
    expect(container.startupProbe.httpGet.path).to.equal("/health/startup");
    const gate = record.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name === "checkout-gate")!.inputs as any;
    const gateEnv = Object.fromEntries(gate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    // gate: liveness and readiness only, error ratio below 0.01 over 5m; monitoringNamespace: monitoring.
    expect(gateEnv, "gate defaults").to.include({
      CHECKS: "/health/live 200\n/health/ready 200",
      ERROR_RATIO_THRESHOLD: "0.01",
      ERROR_RATIO_WINDOW: "5m",
      TIMEOUT_SECONDS: "5",
      METRICS_WAIT_SECONDS: "120",
      PROMETHEUS_URL: "http://kube-prometheus-stack-prometheus.monitoring.svc.cluster.local:9090",
    });
  });

  it("documents DatabaseBackups' defaults as Pulumi.yaml declares them for the platform's stacks", () => {
    const declared = (parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> }).config;
    const keys = { namespace: "backupNamespace", retention: "backupRetention", keepLast: "backupKeepLast", recoveryTimeObjective: "recoveryTimeObjective", storageClass: "storageClass", schedule: "backupSchedule", drillSchedule: "restoreDrillSchedule", image: "backupImage", monitoringNamespace: "monitoringNamespace" } as const;
    expect(Object.keys(keys).sort()).to.deep.equal(Object.keys(DATABASE_BACKUPS_DEFAULTS).sort());
    for (const [arg, key] of Object.entries(keys)) expect(DATABASE_BACKUPS_DEFAULTS[arg as keyof typeof keys], arg).to.equal(declared[key].default);
  });

  it("applies the documented defaults of MonitoringStack: no exporters, no buckets, the platform's namespaces and Alertmanager Secret", async () => {
    const settings = committedSettings("staging");
    const record = await underMocks("staging", () => {
      new MonitoringStack("monitoring", { environment: "staging", clusterName: "team-cluster", domain: "team.example.com", monitoring: settings.monitoring }, { providers: { kubernetes: clusterProvider() } });
    });
    const chart = (name: string) => record.resources.find((r) => r.type.startsWith("kubernetes:helm.sh/") && r.name === name)!.inputs as any;
    const kps = chart("monitoring-kps-release");
    expect(kps.namespace, "namespace").to.equal("monitoring");
    expect(kps.values.alertmanager.alertmanagerSpec.configSecret, "alertmanagerConfigSecret").to.equal("alertmanager-platform-config");
    expect(kps.values.prometheus.prometheusSpec.retention, "metricsRetention").to.equal("30d");
    expect(kps.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName, "storageClass").to.equal("gp3");
    expect(kps.values.grafana["grafana.ini"].server.root_url, "domain").to.equal("https://grafana.team.example.com");
    // clusterFlavour eks: the control plane EKS hides is not scraped.
    expect(kps.values.kubeScheduler.enabled, "clusterFlavour").to.equal(false);
    expect(chart("monitoring-loki-release").values.loki.limits_config.retention_period, "logRetention").to.equal("720h");
    expect(parse(chart("monitoring-tempo-release").values.config).compactor.compaction.block_retention, "traceRetention").to.equal("336h");
    expect(chart("monitoring-alloy-chart").namespace, "nodeAgentsNamespace").to.equal("node-agents");
    // databases, caches and appNamespaces default to none: no exporter, no Redis Secret, no OTLP egress policy.
    const names = record.resources.map((r) => r.name);
    expect(names.filter((n) => /^monitoring-exporters-|^monitoring-otlp-egress-/.test(n))).to.deep.equal([]);
    expect(record.resources.filter((r) => r.type.startsWith("aws:")), "no object storage: no bucket, no role").to.deep.equal([]);
  });

  it("passes a team's own Alertmanager Secret and existing database password Secrets to the charts", async () => {
    const settings = committedSettings("staging");
    const record = await underMocks("staging", () => {
      new MonitoringStack(
        "monitoring",
        {
          environment: "staging",
          clusterName: "team-cluster",
          domain: "team.example.com",
          monitoring: settings.monitoring,
          alertmanagerConfigSecret: "team-alertmanager",
          serverCaImage: "registry.example.com/team/pg-backup:15.18-1",
          databases: [{ name: "orders", host: "orders.db.internal", port: 5432, database: "orders", user: "monitor", sslMode: "verify-full", passwordSecret: { name: "orders-db", key: "password" } }],
          caches: [{ name: "sessions", host: "sessions.cache.internal", port: 6379, password: pulumi.secret("hunter2") }],
        },
        { providers: { kubernetes: clusterProvider() } },
      );
    });
    const kps = record.resources.find((r) => r.name === "monitoring-kps-release")!.inputs as any;
    expect(kps.values.alertmanager.alertmanagerSpec).to.include({ useExistingSecret: true, configSecret: "team-alertmanager" });
    const exporter = record.resources.find((r) => r.name === "monitoring-exporters-postgres-orders")!.inputs as any;
    expect(exporter.values.config.datasource).to.deep.include({ host: "orders.db.internal", passwordSecret: { name: "orders-db", key: "password" } });
    const auth = record.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.name === "monitoring-exporters-redis-sessions-auth")!;
    expect((auth.inputs as any).metadata).to.deep.include({ name: "redis-sessions-auth", namespace: "monitoring" });
    expect(auth.secretPaths, "the password stays a secret").to.deep.equal(["stringData"]);
  });

  it("documents MonitoringStack's defaults as Pulumi.yaml declares them for the platform's stacks", () => {
    const declared = (parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, { default?: unknown }> }).config;
    const keys = { clusterFlavour: "clusterFlavour", namespace: "monitoringNamespace", nodeAgentsNamespace: "nodeAgentsNamespace", storageClass: "storageClass", metricsRetention: "metricsRetention", logRetention: "logRetention", traceRetention: "traceRetention" } as const;
    expect(Object.keys(keys).sort()).to.deep.equal(Object.keys(MONITORING_STACK_DEFAULTS).filter((k) => k !== "alertmanagerConfigSecret").sort());
    for (const [arg, key] of Object.entries(keys)) expect(MONITORING_STACK_DEFAULTS[arg as keyof typeof keys], arg).to.equal(declared[key].default);
    // The Secret the program's AlertmanagerConfigSecret writes.
    expect(MONITORING_STACK_DEFAULTS.alertmanagerConfigSecret).to.equal("alertmanager-platform-config");
  });

  describe("bad arguments: one message naming every argument path, nothing registered, no secret printed", () => {
    const cases: { what: string; construct: () => void; message: string }[] = [
      {
        what: "a moving image tag, a replica count of 0 and a misspelt argument",
        construct: () => new BlueGreenApp("checkout", { ...API_ARGS, images: { ...API_ARGS.images, blue: "ghcr.io/example/checkout:latest" }, replicas: 0, replica: 2 } as BlueGreenAppArgs),
        message:
          'Invalid arguments of BlueGreenApp "checkout" (3 problems):\n' +
          '  - images.blue: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed (got "ghcr.io/example/checkout:latest")\n' +
          "  - replicas: Too small: expected number to be >=1 (got 0)\n" +
          "  - replica: unknown argument (check the spelling; BlueGreenAppArgs lists every argument)",
      },
      {
        what: "production with one replica",
        construct: () => new BlueGreenApp("checkout", { ...API_ARGS, replicas: 1 }),
        message: 'Invalid arguments of BlueGreenApp "checkout" (1 problem):\n  - replicas: production runs at least 2 for high availability (got 1)',
      },
      {
        what: "a variable both in secretEnv and in secretsManagerEnv, and a bad Secrets Manager name",
        construct: () =>
          new BlueGreenApp("checkout", {
            ...API_ARGS,
            secretEnv: { DATABASE_URL: pulumi.secret("postgres://checkout:hunter2@db/checkout") },
            secretsManagerEnv: { DATABASE_URL: { name: "shop/checkout" }, API_TOKEN: { name: "shop checkout" } },
          }),
        message:
          'Invalid arguments of BlueGreenApp "checkout" (1 problem):\n' +
          '  - secretsManagerEnv.API_TOKEN.name: must be a Secrets Manager secret name such as platform/production/api (letters, digits and /_+=.@-) (got "shop checkout")',
      },
      {
        what: "a variable both in secretEnv and in secretsManagerEnv",
        construct: () =>
          new BlueGreenApp("checkout", {
            ...API_ARGS,
            secretEnv: { DATABASE_URL: pulumi.secret("postgres://checkout:hunter2@db/checkout") },
            secretsManagerEnv: { DATABASE_URL: { name: "shop/checkout" } },
          }),
        message: 'Invalid arguments of BlueGreenApp "checkout" (1 problem):\n  - secretsManagerEnv.DATABASE_URL: is also in secretEnv; a variable comes from one place',
      },
      {
        what: "an environment that does not exist and a missing port",
        construct: () => new BlueGreenApp("checkout", { ...API_ARGS, environment: "prod", port: undefined } as unknown as BlueGreenAppArgs),
        message:
          'Invalid arguments of BlueGreenApp "checkout" (2 problems):\n' +
          "  - port: is required but not set\n" +
          '  - environment: expected one of "staging"|"production" (got "prod")',
      },
      {
        what: "a namespace quota of 0 pods and an egress namespace that is no DNS label",
        construct: () => new PlatformNamespace("shop", { ...SHOP_NAMESPACE, quota: { ...SHOP_NAMESPACE.quota, pods: 0 }, egress: { namespaces: ["Payments"] } }),
        message:
          'Invalid arguments of PlatformNamespace "shop" (2 problems):\n' +
          "  - quota.pods: Too small: expected number to be >=1 (got 0)\n" +
          "  - egress.namespaces[0]: must be a DNS label (namespace: lower-case letters, digits and '-', at most 63) (got \"Payments\")",
      },
      {
        what: "the node agents' namespace without privileged",
        construct: () => new PlatformNamespace("agents", { ...SHOP_NAMESPACE, name: "node-agents", nodeAgents: true }),
        message: 'Invalid arguments of PlatformNamespace "agents" (1 problem):\n  - podSecurity: must be privileged in the node agents\' namespace, whose pods reach into the host (got "restricted")',
      },
      {
        what: "AlertRules with a ratio above 1, a runbook URL without https and an SLO without objectives",
        construct: () => {
          const args = alertRulesArgsOf(committedSettings("staging"));
          new AlertRules("rules", {
            ...args,
            thresholds: { ...args.thresholds, http: { ...args.thresholds.http, errorRatio: 2 } },
            runbookBaseUrl: "http://runbooks.example.com",
            slos: [{ service: "checkout", namespace: "shop", window: "30d" }],
          });
        },
        message:
          'Invalid arguments of AlertRules "rules" (3 problems):\n' +
          "  - thresholds.http.errorRatio: must be a ratio between 0 and 1 (0.05 means 5 %) (got 2)\n" +
          '  - runbookBaseUrl: must be an https:// URL without a trailing slash, query or fragment, such as https://github.com/acme/platform/blob/main/components/alerting/runbooks (got "http://runbooks.example.com")\n' +
          '  - slos[0]: declares no objective: set availability, latency or both (got {"service":"checkout","namespace":"shop","window":"30d"})',
      },
      {
        what: "PlatformDashboards without thresholds",
        construct: () => new PlatformDashboards("dashboards", { environment: "staging" } as never),
        message: 'Invalid arguments of PlatformDashboards "dashboards" (1 problem):\n  - alertThresholds: is required but not set',
      },
      {
        what: "DatabaseBackups with its replica in its own region, no OIDC provider and a drill table without schema",
        construct: () =>
          new DatabaseBackups(
            "backups",
            {
              stack: "team",
              environment: "production",
              region: "eu-west-1",
              oidcProviderArn: "",
              databases: [{ name: "orders", host: "orders.db.internal", port: 5432, database: "orders", user: "backup", sslMode: "verify-full", passwordSecret: { name: "orders-db", key: "password" }, drillTables: ["orders"] }],
              replica: { region: "eu-west-1", provider: new AwsProvider("replica", { region: "eu-west-1" }) },
            },
          ),
        message:
          'Invalid arguments of DatabaseBackups "backups" (2 problems):\n' +
          '  - oidcProviderArn: is required (the backup jobs reach S3 through an IRSA role) (got "")\n' +
          '  - databases[0].drillTables[0]: must be schema.table, e.g. public.orders (got "orders")',
      },
      {
        what: "DatabaseBackups of a database without a drill table",
        construct: () => stagingBackupsOf({ drillTables: [] }),
        message: 'Invalid arguments of DatabaseBackups "backups" (1 problem):\n  - databases[0].drillTables: must name at least one table (schema.table): the weekly restore drill checks its rows (got [])',
      },
      {
        what: "DatabaseBackups of a database whose drill would pass an empty table",
        construct: () => stagingBackupsOf({ drillMinRows: 0 }),
        message:
          'Invalid arguments of DatabaseBackups "backups" (1 problem):\n  - databases[0].drillMinRows: must be a whole number of rows of at least 1, e.g. 1000: a restored drill table with fewer fails the drill (got 0)',
      },
      {
        what: "DatabaseBackups with its replica in its own region",
        construct: () =>
          new DatabaseBackups("backups", {
            stack: "team",
            environment: "production",
            region: "eu-west-1",
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            databases: [{ name: "orders", host: "orders.db.internal", port: 5432, database: "orders", user: "backup", sslMode: "verify-full", passwordSecret: { name: "orders-db", key: "password" }, drillTables: ["public.orders"] }],
            replica: { region: "eu-west-1", provider: new AwsProvider("replica", { region: "eu-west-1" }) },
          }),
        message: 'Invalid arguments of DatabaseBackups "backups" (1 problem):\n  - replica.region: must differ from region (eu-west-1): a replica in the same region survives nothing the bucket does not',
      },
      {
        what: "MonitoringStack with Loki and Tempo on s3 but no object storage, a namespace that is no DNS label and a misspelt argument",
        construct: () => {
          const production = committedSettings("production");
          new MonitoringStack("monitoring", { environment: "production", clusterName: "prod", domain: "example.com", monitoring: production.monitoring, namespace: "Monitoring", alertmanagerSecret: "am" } as MonitoringStackArgs);
        },
        message:
          'Invalid arguments of MonitoringStack "monitoring" (2 problems):\n' +
          "  - namespace: must be a DNS label (namespace: lower-case letters, digits and '-', at most 63) (got \"Monitoring\")\n" +
          "  - alertmanagerSecret: unknown argument (check the spelling; MonitoringStackArgs lists every argument)",
      },
      {
        what: "MonitoringStack of a database that verifies its server's certificate, without the image carrying the CA bundle",
        construct: () =>
          new MonitoringStack("monitoring", {
            environment: "staging",
            clusterName: "team",
            domain: "example.com",
            monitoring: committedSettings("staging").monitoring,
            databases: [{ name: "ledger", host: "ledger.db.internal", port: 5432, database: "ledger", user: "monitor", sslMode: "verify-full", passwordSecret: { name: "ledger-db", key: "password" } }],
          }),
        message: 'Invalid arguments of MonitoringStack "monitoring" (1 problem):\n  - databases[0].sslMode: verify-full checks the server\'s certificate: set serverCaImage, the image that carries the CA bundle',
      },
      {
        what: "MonitoringStack with Loki and Tempo on s3 but no object storage",
        construct: () => new MonitoringStack("monitoring", { environment: "production", clusterName: "prod", domain: "example.com", monitoring: committedSettings("production").monitoring }),
        message: 'Invalid arguments of MonitoringStack "monitoring" (1 problem):\n  - objectStorage: is required: monitoring.loki.storage and monitoring.tempo.storage is s3',
      },
      {
        what: "MonitoringStack with a cache host that is no DNS name (its password not quoted), Grafana with 2 replicas and a database password Secret without key",
        construct: () => {
          const staging = committedSettings("staging");
          new MonitoringStack("monitoring", {
            environment: "staging",
            clusterName: "team-cluster",
            domain: "team.example.com",
            monitoring: { ...staging.monitoring, grafana: { ...staging.monitoring.grafana, replicas: 2 as 1 } },
            databases: [{ name: "orders", host: "orders.db.internal", port: 5432, database: "orders", user: "monitor", sslMode: "require", passwordSecret: { name: "orders-db", key: "" } }],
            caches: [{ name: "sessions", host: "redis_sessions", port: 6379, password: "hunter2" }],
          });
        },
        message:
          'Invalid arguments of MonitoringStack "monitoring" (3 problems):\n' +
          "  - monitoring.grafana.replicas: must be 1 (Grafana keeps its users and sessions in a per-pod SQLite database) (got 2)\n" +
          '  - databases[0].passwordSecret.key: must be a Secret key (got "")\n' +
          '  - caches[0].host: must be a DNS name such as orders-db.example.internal (got "redis_sessions")',
      },
      {
        what: "MonitoringStack with object storage nothing uses, two exporters of one name and a password that is no string",
        construct: () => {
          const staging = committedSettings("staging");
          new MonitoringStack("monitoring", {
            environment: "staging",
            clusterName: "team-cluster",
            domain: "team.example.com",
            monitoring: staging.monitoring,
            objectStorage: { region: "eu-west-1", oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
            caches: [
              { name: "sessions", host: "sessions.cache.internal", port: 6379 },
              { name: "sessions", host: "sessions-2.cache.internal", port: 6379, password: { value: "hunter2" } as never },
            ],
          });
        },
        message:
          'Invalid arguments of MonitoringStack "monitoring" (3 problems):\n' +
          "  - objectStorage: is set, but neither monitoring.loki.storage nor monitoring.tempo.storage is s3\n" +
          '  - caches[1].name: repeats "sessions": each entry names its own exporter\n' +
          "  - caches[1].password: must be a string or a pulumi.Output<string> (best a Pulumi secret)",
      },
      {
        what: "PostgresBackup with a bucket that is no bucket name, a key that is no KMS ARN, both an RDS cluster and instance, and a misspelt argument",
        construct: () =>
          new PostgresBackup("orders", {
            ...ORDERS_BACKUP,
            bucket: "Team_Backups",
            kmsKeyArn: "alias/backups",
            database: { ...ORDERS_BACKUP.database, pointInTimeRecovery: { rdsCluster: "orders", rdsInstance: "orders-1" } },
            serviceAcount: "pg-backup",
          } as PostgresBackupArgs),
        message:
          'Invalid arguments of PostgresBackup "orders" (4 problems):\n' +
          '  - database.pointInTimeRecovery: must name one RDS cluster or instance: {rdsCluster: <identifier>} or {rdsInstance: <identifier>} (got {"rdsCluster":"orders","rdsInstance":"orders-1"})\n' +
          "  - bucket: must be an S3 bucket name (or an Output of one, such as DatabaseBackups' bucketName) (got \"Team_Backups\")\n" +
          "  - kmsKeyArn: must be a KMS key ARN (or an Output of one, such as DatabaseBackups' kmsKeyArn) (got \"alias/backups\")\n" +
          "  - serviceAcount: unknown argument (check the spelling; PostgresBackupArgs lists every argument)",
      },
      {
        what: "PostgresBackup with a database without a password Secret, an sslMode libpq does not know and a retention in hours",
        construct: () =>
          new PostgresBackup("orders", {
            ...ORDERS_BACKUP,
            database: { ...ORDERS_BACKUP.database, sslMode: "prefer", passwordSecret: undefined } as never,
            retention: "36h",
          }),
        message:
          'Invalid arguments of PostgresBackup "orders" (3 problems):\n' +
          '  - retention: must be a whole number of days, e.g. 7d or 30d (got "36h")\n' +
          '  - database.sslMode: expected one of "disable"|"require"|"verify-full" (got "prefer")\n' +
          "  - database.passwordSecret: is required but not set",
      },
      {
        what: "DatabaseBackups with a database naming both an RDS cluster and an RDS instance",
        construct: () =>
          new DatabaseBackups("backups", {
            stack: "team",
            environment: "production",
            region: "eu-west-1",
            oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC",
            databases: [{ ...ORDERS_BACKUP.database, pointInTimeRecovery: { rdsCluster: "orders", rdsInstance: "orders-1" } }],
            replica: { region: "eu-central-1", provider: { region: "eu-central-1" } },
          }),
        message:
          'Invalid arguments of DatabaseBackups "backups" (2 problems):\n' +
          '  - databases[0].pointInTimeRecovery: must name one RDS cluster or instance: {rdsCluster: <identifier>} or {rdsInstance: <identifier>} (got {"rdsCluster":"orders","rdsInstance":"orders-1"})\n' +
          '  - replica.provider: must be an aws.Provider (got {"region":"eu-central-1"})',
      },
      {
        what: "AlertRules with a misspelt threshold group",
        construct: () => {
          const thresholds = committedSettings("staging").alertThresholds;
          new AlertRules("rules", { thresholds: { ...thresholds, websocket: thresholds.websockets } as never, runbookBaseUrl: "https://runbooks.example.com" });
        },
        message:
          'Invalid arguments of AlertRules "rules" (1 problem):\n  - thresholds.websocket: unknown argument (check the spelling; AlertRulesArgs lists every argument)',
      },
      {
        what: "PlatformDashboards with an unknown environment and a threshold that is no duration",
        construct: () => {
          const thresholds = committedSettings("staging").alertThresholds;
          new PlatformDashboards("dashboards", { environment: "prod" as never, alertThresholds: { ...thresholds, slo: { ...thresholds.slo, pageFor: "2 minutes" } } });
        },
        message:
          'Invalid arguments of PlatformDashboards "dashboards" (2 problems):\n' +
          '  - environment: expected one of "staging"|"production" (got "prod")\n' +
          '  - alertThresholds.slo.pageFor: must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d (got "2 minutes")',
      },
      {
        what: "MonitoringStack on a cluster flavour it does not know, with Loki on a storage it does not know",
        construct: () => {
          const staging = committedSettings("staging");
          new MonitoringStack("monitoring", {
            environment: "staging",
            clusterName: "team-cluster",
            domain: "team.example.com",
            monitoring: { ...staging.monitoring, loki: { ...staging.monitoring.loki, storage: "gcs" as never } },
            clusterFlavour: "gke" as never,
          });
        },
        message:
          'Invalid arguments of MonitoringStack "monitoring" (2 problems):\n' +
          '  - monitoring.loki.storage: expected one of "filesystem"|"s3" (got "gcs")\n' +
          '  - clusterFlavour: expected one of "eks"|"self-managed" (got "gke")',
      },
    ];
    for (const c of cases) {
      it(c.what, async () => {
        const { error, registered } = await failure(c.construct);
        expect(error.message).to.equal(c.message);
        expect(registered, "resources registered").to.equal(0);
        expect(error.message).to.not.include("hunter2");
      });
    }
  });
});
