import { expect } from "chai";
import * as path from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { toolPath, toolsDir } from "../../plan/tools";
import { type ApiServer, sharedApiServer } from "../cluster/fixtures/api-server";
import { standInControllers } from "../engine/fixtures/controllers";
import { type EngineRun, isApiServerRepairWarning, recorder, skipWithoutEngine } from "../engine/fixtures/engine";
import { APP_NAMESPACES, CHECKOUT_TYPES, expectCheckoutApplied, liveObjects, NAMESPACE, objectKey, typeAndName, withMonitoringNamespace } from "./fixtures/checkout-app";
import { pluginAfterEngineStopped } from "./fixtures/component-package";
import { installedExample } from "./fixtures/package";
import { type YamlStack, yamlExampleStack } from "./fixtures/yaml-stack";

/**
 * examples/yaml-app: a YAML program that instantiates PlatformNamespace and BlueGreenApp through the
 * component package, previewed, applied, previewed again and destroyed by the real engine (CLI,
 * pulumi-language-yaml and pulumi-resource-kubernetes from .ci/build-tools) against the test kube-apiserver,
 * with the plugin of the package installed from the packed tarball on PATH. The program is the committed one,
 * untouched: the provider's await logic runs, and standInControllers plays the controllers the test server
 * lacks (ReplicaSets, Endpoints, Job completion, garbage collection).
 */
describe("a YAML program using the component package (examples/yaml-app)", function () {
  this.timeout(900_000);
  let server: ApiServer;
  let removeMonitoringNamespace: (() => Promise<void>) | undefined;
  let consumer: Awaited<ReturnType<typeof installedExample>>;
  let yaml: YamlStack | undefined;
  let stack: Stack;

  before(async function () {
    skipWithoutEngine(this);
    toolPath("pulumi-language-yaml"); // fails loudly, with the command that builds it, when it is missing
    server = await sharedApiServer(this);
    removeMonitoringNamespace = await withMonitoringNamespace(server);
    consumer = await installedExample("team-app");
    // The installed package's plugin (npm linked it) on PATH; the stack's kubeContext is the test server's.
    yaml = await yamlExampleStack("yaml-app", path.join(consumer.projectDir, "node_modules", ".bin"), server);
    stack = yaml.stack;
  });

  after(async () => {
    // An `up` that failed half-way leaves objects behind; the next spec gets a clean server.
    if (server) await server.deleteNamespace(NAMESPACE);
    await removeMonitoringNamespace?.();
    consumer?.dispose();
    yaml?.dispose();
  });

  /** A preview, with the provider reference each resource would be created with. */
  const preview = () => yaml!.preview();

  // The YAML host registers its own default `pulumi` provider besides the team stack's resources.
  const YAML_TYPES = ["pulumi:pulumi:Stack::team-checkout-yaml-dev", "pulumi:providers:pulumi::default", "pulumi:providers:platform::default", ...CHECKOUT_TYPES];

  // What the engine says on every run here: plugins come from PATH, never downloaded.
  const EXPECTED_WARNINGS = [
    `using pulumi-resource-kubernetes from $PATH at ${toolsDir()}/pulumi-resource-kubernetes`,
    () => `using pulumi-resource-platform from $PATH at ${path.join(consumer.projectDir, "node_modules", ".bin", "pulumi-resource-platform")}`,
  ];

  it("previews the namespace and the app, every object to create through the program's provider", async () => {
    const run = await preview();
    expect(run.failed).to.equal(false);
    expect(run.diagnostics.filter((d) => !isApiServerRepairWarning(d) && (d.severity === "error" || !EXPECTED_WARNINGS.some((w) => d.message === (typeof w === "string" ? w : w()))))).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members(YAML_TYPES);
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
    // The plugin may report the engine's shutdown cancelling its invoke (a race), beside the component's message.
    expect(run.diagnostics.filter((d) => d.severity === "error" && !pluginAfterEngineStopped(d.message)).map((d) => d.message)).to.deep.equal([
      "platform:index:BlueGreenApp resource 'checkout' has a problem: Invalid arguments of BlueGreenApp \"checkout\" (1 problem):\n" +
        '  - images.blue: must be an immutable image reference (a version tag like 1.4.2 or a digest); a missing tag or "latest" is not allowed (got "ghcr.io/example/checkout:latest")',
    ]);
    expect([...run.ops.keys()].filter((urn) => urn.includes("BlueGreenApp")), "nothing of the app").to.deep.equal([]);
    const state = (await stack.exportStack()).deployment as { resources?: unknown[] };
    expect(state.resources ?? []).to.deep.equal([]);
  });

  /** An `up` or `destroy` with the stand-in controllers running, and what they did. */
  async function withControllers(what: "up" | "destroy"): Promise<EngineRun & { controllerActions: readonly string[] }> {
    const run = recorder();
    const controllers = standInControllers(server, APP_NAMESPACES);
    const start = Date.now();
    try {
      if (what === "up") await stack.up({ color: "never", onEvent: run.onEvent });
      else await stack.destroy({ color: "never", onEvent: run.onEvent });
    } finally {
      await controllers.stop();
    }
    return { ...run.finish(start), controllerActions: controllers.actions };
  }

  it("applies the program: the API server holds exactly the namespace's and the app's objects, wired as BlueGreenApp promises", async () => {
    const run = await withControllers("up");
    expect(run.diagnostics.filter((d) => !isApiServerRepairWarning(d) && (d.severity === "error" || !EXPECTED_WARNINGS.some((w) => d.message === (typeof w === "string" ? w : w()))))).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["create"]);
    expect([...run.ops.keys()].map(typeAndName)).to.have.members(YAML_TYPES);
    const outputs = await stack.outputs();
    expect(Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]))).to.deep.equal({ namespace: "shop", activeService: "checkout", previewService: "checkout-preview" });

    await expectCheckoutApplied(server, run.controllerActions);
  });

  it("previews no change after the update", async () => {
    const run = await preview();
    expect(run.failed).to.equal(false);
    expect([...new Set(run.ops.values())]).to.deep.equal(["same"]);
    expect(run.ops.size).to.equal(YAML_TYPES.length);
  });

  it("destroys every object it created, the namespace too", async () => {
    const run = await withControllers("destroy");
    expect(run.diagnostics.filter((d) => d.severity === "error")).to.deep.equal([]);
    expect([...new Set(run.ops.values())]).to.deep.equal(["delete"]);
    expect(run.ops.size).to.equal(YAML_TYPES.length);
    expect((await liveObjects(server)).map(objectKey)).to.deep.equal([]);
    const state = (await stack.exportStack()).deployment as { resources?: unknown[] };
    expect(state.resources ?? []).to.deep.equal([]);
  });
});
