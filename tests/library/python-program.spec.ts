import { expect } from "chai";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { toolPath, toolsDir } from "../../plan/tools";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { type ApiServer, sharedApiServer } from "../cluster/fixtures/api-server";
import { standInControllers } from "../engine/fixtures/controllers";
import { cliRun, type EngineRun, engineEnvironment, engineUnavailable } from "../engine/fixtures/engine";
import { APP_NAMESPACES, CHECKOUT_TYPES, expectCheckoutApplied, liveObjects, NAMESPACE, objectKey, typeAndName, withMonitoringNamespace } from "./fixtures/checkout-app";
import { getSchema, NODE_DIR } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";
import { pythonProject, pythonSdkEnv, servePythonProgram } from "./fixtures/python-program";

/**
 * examples/python-app: the YAML example's team stack written in Python, using PlatformNamespace and
 * BlueGreenApp through the component package's generated `pulumi_platform` SDK. The package is installed
 * from the packed tarball and its plugin put on PATH; the SDK is generated from that plugin's schema in the
 * test (never committed) and pip-installed into the project's virtualenv next to the pinned Python SDK.
 * The real engine previews, applies, previews again and destroys it against the test kube-apiserver, the
 * provider's await logic on, standInControllers playing the controllers the server lacks.
 */
describe("a Python program using the component package (examples/python-app)", function () {
  this.timeout(900_000);
  let server: ApiServer;
  let removeMonitoringNamespace: (() => Promise<void>) | undefined;
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let dir: string;
  let project: string;
  let env: Record<string, string>;
  let program: Awaited<ReturnType<typeof servePythonProgram>> | undefined;
  const STACK = "dev";
  const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, "package.json"), "utf8")) as { version: string }).version;

  before(async function () {
    const unavailable = engineUnavailable();
    if (unavailable) {
      console.log(`      skipped: ${unavailable}`);
      this.skip();
    }
    toolPath("pulumi-sdkgen"); // fails loudly, with the command that builds it, when it is missing
    pythonSdkEnv();
    server = await sharedApiServer(this);
    removeMonitoringNamespace = await withMonitoringNamespace(server);
    consumer = await installedExample("team-app");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-python-"));
    const plugin = path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform");
    const schemaFile = path.join(dir, "schema.json");
    fs.writeFileSync(schemaFile, JSON.stringify(await getSchema(plugin)));
    project = await pythonProject("python-app", dir, schemaFile);
    fs.mkdirSync(path.join(dir, "home"));
    fs.mkdirSync(path.join(dir, "state"));
    env = engineEnvironment({
      home: path.join(dir, "home"),
      state: path.join(dir, "state"),
      kubeconfig: server.kubeconfigPath,
      pluginDirs: [path.dirname(plugin), NODE_DIR],
    });
    await cli("stack", "init", STACK);
    // The test API server's kubeconfig names its one context platform-test.
    await cli("config", "set", "kubeContext", "platform-test", "--stack", STACK);
    program = await servePythonProgram(project);
  });

  after(async () => {
    await program?.stop();
    if (server) await server.deleteNamespace(NAMESPACE);
    await removeMonitoringNamespace?.();
    consumer?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<string> {
    const { stdout } = await promisify(execFile)(toolPath("pulumi"), [...args, "--non-interactive"], { cwd: project, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  }

  /** `pulumi preview` or `pulumi up` of the served program; `destroy` needs no program. */
  async function engine(what: "preview" | "up" | "destroy", controllers = false): Promise<EngineRun & { failed: boolean; output: string; controllerActions: readonly string[] }> {
    const args = [what, "--stack", STACK, ...(what === "preview" ? [] : ["--yes", "--skip-preview"]), ...(what === "destroy" ? [] : ["--client", program!.address, "--exec-kind", "auto.inline"])];
    const stand = controllers ? standInControllers(server, APP_NAMESPACES) : undefined;
    try {
      const run = await cliRun(args, { cwd: project, env });
      return { ...run, controllerActions: stand?.actions ?? [] };
    } finally {
      await stand?.stop();
    }
  }

  const EXPECTED_WARNINGS = () => [
    `using pulumi-resource-kubernetes from $PATH at ${toolsDir()}/pulumi-resource-kubernetes`,
    `using pulumi-resource-platform from $PATH at ${path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform")}`,
  ];
  const unexpectedDiagnostics = (run: EngineRun) => run.diagnostics.filter((d) => d.severity === "error" || !EXPECTED_WARNINGS().includes(d.message));
  // The generated SDK asks for the plugin of the schema's version, which names its default provider.
  const PYTHON_TYPES = [
    "pulumi:pulumi:Stack::team-checkout-python-dev",
    "pulumi:providers:pulumi::default",
    `pulumi:providers:platform::default_${PACKAGE_VERSION.replace(/\./g, "_")}`,
    ...CHECKOUT_TYPES,
  ];

  it("fails the preview on invalid arguments with the component's key-path message, creating nothing", async () => {
    await cli("config", "set", "imageBlue", "ghcr.io/example/checkout:latest", "--stack", STACK);
    let run;
    try {
      run = await engine("preview");
    } finally {
      await cli("config", "rm", "imageBlue", "--stack", STACK);
    }
    expect(run.failed, run.output).to.equal(true);
    // The engine stops at the component's error; the program, still registering, may then report that the
    // engine went away (a race): that one, and nothing else, may follow.
    const errors = run.diagnostics.filter((d) => d.severity === "error").map((d) => d.message);
    const monitorGone = (m: string) => m.startsWith("python inline source runtime error: resource monitor shut down\n");
    expect(errors.filter((m) => !monitorGone(m))).to.deep.equal([
      "platform:index:BlueGreenApp resource 'checkout' has a problem: Invalid arguments of BlueGreenApp \"checkout\" (1 problem):\n" +
        '  - images.blue: must be an immutable image reference (a version tag like 1.4.2 or a digest); "latest" is not allowed (got "ghcr.io/example/checkout:latest")',
    ]);
    expect([...run.ops.keys()].filter((urn) => urn.includes("BlueGreenApp")), "nothing of the app").to.deep.equal([]);
    expect(JSON.parse(await cli("stack", "export", "--stack", STACK)).deployment.resources ?? []).to.deep.equal([]);
  });

  it("previews the namespace and the app, every object to create", async () => {
    const run = await engine("preview");
    expect(run.failed, run.output).to.equal(false);
    expect(unexpectedDiagnostics(run)).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members(PYTHON_TYPES);
  });

  it("applies the program: the API server holds exactly the YAML example's objects", async () => {
    const run = await engine("up", true);
    expect(run.failed, run.output).to.equal(false);
    expect(unexpectedDiagnostics(run)).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members(PYTHON_TYPES);
    const outputs = JSON.parse(await cli("stack", "output", "--json", "--stack", STACK));
    expect(outputs).to.deep.equal({ namespace: "shop", activeService: "checkout", previewService: "checkout-preview" });
    await expectCheckoutApplied(server, run.controllerActions);
  });

  it("previews no change after the update", async () => {
    const run = await engine("preview");
    expect(run.failed, run.output).to.equal(false);
    expect([...new Set(run.ops.values())]).to.deep.equal(["same"]);
    expect(run.ops.size).to.equal(PYTHON_TYPES.length);
  });

  it("destroys every object it created, the namespace too", async () => {
    const run = await engine("destroy", true);
    expect(run.failed, run.output).to.equal(false);
    expect([...new Set(run.ops.values())]).to.deep.equal(["delete"]);
    expect(run.ops.size).to.equal(PYTHON_TYPES.length);
    expect((await liveObjects(server)).map(objectKey)).to.deep.equal([]);
    expect(JSON.parse(await cli("stack", "export", "--stack", STACK)).deployment.resources ?? []).to.deep.equal([]);
  });
});
