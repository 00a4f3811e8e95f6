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
 * The second consumer: examples/team-app, one team's app stack that uses only PlatformNamespace and
 * BlueGreenApp, with the library installed from the packed tarball into a folder outside the repository.
 * It type-checks against the package's declarations and plans under the mock runtime.
 */
describe("a team's program using the packed library (examples/team-app)", function () {
  this.timeout(600_000);
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let plan: PlanRecord;

  const config = (activeColor: string) => ({
    values: { "checkout:kubeContext": "arn:aws:eks:eu-west-1:123456789012:cluster/shop", "checkout:activeColor": activeColor, "checkout:databaseUrl": "postgres://checkout:s3cr3t-d41d8@db/checkout" },
    secretKeys: ["checkout:databaseUrl"],
  });

  before(async () => {
    consumer = await installedExample("team-app");
    plan = await runProgram("production", { projectDir: consumer.projectDir, config: config("green"), renderCharts: false });
  });
  after(() => consumer?.dispose());

  const one = (type: string, name: string): RecordedResource => {
    const found = plan.resources.filter((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).to.have.lengthOf(1);
    return found[0];
  };

  it("loads the library from the installed tarball, not from the repository", () => {
    // Resolved as the program resolves it (from its own folder), and loaded by the plan from there.
    const entry = path.join(fs.realpathSync(consumer.projectDir), "node_modules", "platform", "dist", "lib", "index.js");
    expect(createRequire(path.join(consumer.projectDir, "index.ts")).resolve("platform")).to.equal(entry);
    expect(Object.keys(require.cache)).to.include(entry);
    expect(Object.keys(require.cache).filter((file) => file.startsWith(path.join(REPOSITORY_ROOT, "dist")))).to.deep.equal([]);
    const installed = JSON.parse(fs.readFileSync(path.join(consumer.projectDir, "node_modules", "platform", "package.json"), "utf8"));
    expect(installed.version).to.equal(JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")).version);
    // npm linked the component package's plugin, which other languages' programs find on PATH.
    expect(fs.realpathSync(path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform"))).to.equal(
      path.join(fs.realpathSync(consumer.projectDir), "node_modules", "platform", "provider", "pulumi-resource-platform"),
    );
  });

  it("type-checks against the package's type declarations", async () => {
    const { stdout, stderr } = await promisify(execFile)(path.join(REPOSITORY_ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: consumer.projectDir });
    expect(stdout + stderr).to.equal("");
  });

  it("registers exactly the team's namespace and app, every object through the team's provider", () => {
    const tree = plan.resources.map((r) => `${r.type}::${r.name}`);
    expect(tree).to.have.members([
      "pulumi:providers:kubernetes::cluster",
      "platform:index:PlatformNamespace::shop",
      "platform:core:PlatformNamespace::shop",
      "kubernetes:core/v1:Namespace::shop-ns",
      "kubernetes:core/v1:ResourceQuota::shop-quota",
      "kubernetes:core/v1:LimitRange::shop-limits",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::shop-default-deny",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::shop-allow-dns",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::shop-allow-same-namespace",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::shop-allow-monitoring-scrape",
      "platform:index:BlueGreenApp::checkout",
      "platform:apps:BlueGreenApp::checkout",
      "kubernetes:core/v1:ServiceAccount::checkout-sa",
      "kubernetes:core/v1:Secret::checkout-env",
      "random:index/randomPassword:RandomPassword::checkout-secret-checksum-salt",
      "kubernetes:core/v1:ConfigMap::checkout-gate-script",
      "kubernetes:core/v1:Service::checkout-blue-svc",
      "kubernetes:core/v1:Service::checkout-green-svc",
      "kubernetes:policy/v1:PodDisruptionBudget::checkout-blue-pdb",
      "kubernetes:policy/v1:PodDisruptionBudget::checkout-green-pdb",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::checkout-gate-egress",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy::checkout-gate-ingress",
      "kubernetes:apps/v1:Deployment::checkout-blue",
      "kubernetes:apps/v1:Deployment::checkout-green",
      "kubernetes:batch/v1:Job::checkout-gate",
      "kubernetes:core/v1:Service::checkout-active",
      "kubernetes:core/v1:Service::checkout-preview",
      "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::checkout-monitor",
      "platform:monitoring:BlackboxProbe::checkout-probe",
      "kubernetes:monitoring.coreos.com/v1:Probe::checkout-probe-probe",
    ]);
    const objects = plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
    expect([...new Set(objects.map((r) => r.provider))]).to.deep.equal(["urn:pulumi:production::platform::pulumi:providers:kubernetes::cluster"]);
    expect(one("pulumi:providers:kubernetes", "cluster").inputs.context).to.equal("arn:aws:eks:eu-west-1:123456789012:cluster/shop");
  });

  it("renders the team's namespace with its quota, limits and team label", () => {
    const ns = one("kubernetes:core/v1:Namespace", "shop-ns").inputs as any;
    expect(ns.metadata.name).to.equal("shop");
    expect(ns.metadata.labels).to.include({ "platform.io/team": "checkout", "platform.io/environment": "production", "pod-security.kubernetes.io/enforce": "restricted" });
    const quota = one("kubernetes:core/v1:ResourceQuota", "shop-quota").inputs as any;
    expect(quota.metadata.namespace).to.equal("shop");
    expect(quota.spec.hard).to.deep.equal({
      "requests.cpu": "8",
      "requests.memory": "16Gi",
      "limits.cpu": "16",
      "limits.memory": "32Gi",
      pods: "60",
      persistentvolumeclaims: "0",
      "services.loadbalancers": "0",
    });
  });

  it("serves green, keeps blue warm in production, and gates the switch on the team's smoke check", () => {
    const deployment = (c: string) => one("kubernetes:apps/v1:Deployment", `checkout-${c}`).inputs as any;
    expect(deployment("green").spec.replicas).to.equal(3);
    expect(deployment("blue").spec.replicas, "production's previewReplicas default: replicas").to.equal(3);
    expect(deployment("green").spec.template.spec.containers[0].image).to.equal("ghcr.io/example/checkout:2.4.0");
    expect(deployment("blue").spec.template.spec.containers[0].image).to.equal("ghcr.io/example/checkout:2.3.0");
    const active = one("kubernetes:core/v1:Service", "checkout-active").inputs as any;
    const preview = one("kubernetes:core/v1:Service", "checkout-preview").inputs as any;
    expect([active.metadata.name, active.spec.selector["platform.io/color"]]).to.deep.equal(["checkout", "green"]);
    expect([preview.metadata.name, preview.spec.selector["platform.io/color"]]).to.deep.equal(["checkout-preview", "blue"]);
    const gate = one("kubernetes:batch/v1:Job", "checkout-gate").inputs as any;
    const env = Object.fromEntries(gate.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.CHECKS).to.equal("/health/live 200\n/health/ready 200\n/api/v1/cart 200");
    expect(env.PREVIEW_URL).to.equal("http://checkout-green.shop.svc.cluster.local:8080");
    expect(one("kubernetes:core/v1:Service", "checkout-active").dependencies, "the switch waits for the gate").to.deep.equal([one("kubernetes:batch/v1:Job", "checkout-gate").urn]);
  });

  it("keeps the database URL secret: in the app's Secret only, masked in every input", () => {
    const secret = one("kubernetes:core/v1:Secret", "checkout-env");
    expect(secret.inputs.stringData).to.deep.equal({ DATABASE_URL: "[secret]" });
    expect(secret.secretPaths).to.deep.equal(["stringData"]);
    expect(JSON.stringify(plan.resources)).to.not.include("s3cr3t-d41d8");
    const container = (one("kubernetes:apps/v1:Deployment", "checkout-green").inputs as any).spec.template.spec.containers[0];
    expect(container.env.find((e: any) => e.name === "DATABASE_URL")).to.deep.equal({ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "checkout-env", key: "DATABASE_URL" } } });
    expect(container.env.find((e: any) => e.name === "PAYMENT_PROVIDER")).to.deep.equal({ name: "PAYMENT_PROVIDER", value: "stripe" });
  });

  it("refuses a colour that does not exist, naming the argument, with nothing registered", async () => {
    const error = await runProgram("production", { projectDir: consumer.projectDir, config: config("purple"), renderCharts: false }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error?.message).to.equal('Invalid arguments of BlueGreenApp "checkout" (1 problem):\n  - activeColor: expected one of "blue"|"green" (got "purple")');
  });
});
