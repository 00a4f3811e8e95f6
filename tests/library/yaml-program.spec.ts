import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { toolPath, toolsDir } from "../../plan/tools";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { type ApiServer, sharedApiServer } from "../cluster/fixtures/api-server";
import { type EngineRun, engineEnvironment, engineUnavailable, recorder } from "../engine/fixtures/engine";
import { NODE_DIR } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";

/**
 * examples/yaml-app: a YAML program that instantiates PlatformNamespace and BlueGreenApp through the
 * component package, previewed by the real engine (CLI, pulumi-language-yaml and pulumi-resource-kubernetes
 * from .ci/build-tools) against the test kube-apiserver, with the plugin of the package installed from the
 * packed tarball on PATH.
 */
describe("a YAML program using the component package (examples/yaml-app)", function () {
  this.timeout(900_000);
  let server: ApiServer;
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let dir: string;
  let stack: Stack;

  before(async function () {
    const unavailable = engineUnavailable();
    if (unavailable) {
      console.log(`      skipped: ${unavailable}`);
      this.skip();
    }
    toolPath("pulumi-language-yaml"); // fails loudly, with the command that builds it, when it is missing
    server = await sharedApiServer(this);
    consumer = await installedExample("team-app");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-yaml-"));
    const project = path.join(dir, "project");
    fs.cpSync(path.join(REPOSITORY_ROOT, "examples", "yaml-app"), project, { recursive: true });
    fs.mkdirSync(path.join(dir, "home"));
    fs.mkdirSync(path.join(dir, "state"));
    const envVars = engineEnvironment({
      home: path.join(dir, "home"),
      state: path.join(dir, "state"),
      kubeconfig: server.kubeconfigPath,
      // The installed package's plugin (npm linked it), and the Node 22 its launcher runs on.
      pluginDirs: [path.join(consumer.projectDir, "node_modules", ".bin"), NODE_DIR],
    });
    const workspace = await LocalWorkspace.create({
      workDir: project,
      pulumiCommand: await PulumiCommand.get({ root: path.dirname(toolsDir()), skipVersionCheck: false }),
      envVars,
      secretsProvider: "passphrase",
    });
    stack = await Stack.create("dev", workspace);
    // The test API server's kubeconfig names its one context platform-test.
    await stack.setConfig("kubeContext", { value: "platform-test" });
  });

  after(() => {
    consumer?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A preview, with the provider reference each resource would be created with. */
  async function preview(): Promise<EngineRun & { providers: Map<string, string>; failed: boolean }> {
    const run = recorder();
    const providers = new Map<string, string>();
    const start = Date.now();
    const failed = await stack
      .preview({
        color: "never",
        onEvent: (event) => {
          run.onEvent(event);
          const step = event.resourcePreEvent?.metadata;
          if (step?.new?.provider) providers.set(step.urn, step.new.provider);
        },
      })
      .then(
        () => false,
        () => true,
      );
    return { ...run.finish(start), providers, failed };
  }

  /** `<type>::<name>` of a URN, the type without its parents'. */
  const typeAndName = (urn: string) => {
    const [, , types, ...name] = urn.split("::");
    return `${types.split("$").pop()}::${name.join("::")}`;
  };

  // What the engine says on every run here: plugins come from PATH, never downloaded.
  const EXPECTED_WARNINGS = [
    `using pulumi-resource-kubernetes from $PATH at ${toolsDir()}/pulumi-resource-kubernetes`,
    () => `using pulumi-resource-platform from $PATH at ${path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform")}`,
  ];

  it("previews the namespace and the app, every object to create through the program's provider", async () => {
    const run = await preview();
    expect(run.failed).to.equal(false);
    expect(run.diagnostics.filter((d) => d.severity === "error" || !EXPECTED_WARNINGS.some((w) => d.message === (typeof w === "string" ? w : w())))).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members([
      "pulumi:pulumi:Stack::team-checkout-yaml-dev",
      "pulumi:providers:kubernetes::cluster",
      "pulumi:providers:platform::default",
      "pulumi:providers:pulumi::default",
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
    // The YAML program's explicit provider reached every object the component package created.
    const objects = [...run.ops.keys()].filter((urn) => typeAndName(urn).startsWith("kubernetes:"));
    expect(objects).to.have.lengthOf(22);
    expect([...new Set(objects.map((urn) => typeAndName(run.providers.get(urn)!.replace(/::[^:]+$/, ""))))]).to.deep.equal(["pulumi:providers:kubernetes::cluster"]);
  });

  it("fails the preview on invalid arguments with the component's key-path message, creating nothing", async () => {
    await stack.setConfig("imageBlue", { value: "ghcr.io/example/checkout:latest" });
    let run;
    try {
      run = await preview();
    } finally {
      await stack.removeConfig("imageBlue");
    }
    expect(run.failed).to.equal(true);
    expect(run.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).to.deep.equal([
      "platform:index:BlueGreenApp resource 'checkout' has a problem: Invalid arguments of BlueGreenApp \"checkout\" (1 problem):\n" +
        '  - images.blue: must be an immutable image reference (a version tag like 1.4.2 or a digest); "latest" is not allowed (got "ghcr.io/example/checkout:latest")',
    ]);
    expect([...run.ops.keys()].filter((urn) => urn.includes("BlueGreenApp")), "nothing of the app").to.deep.equal([]);
    const state = (await stack.exportStack()).deployment as { resources?: unknown[] };
    expect(state.resources ?? []).to.deep.equal([]);
  });
});
