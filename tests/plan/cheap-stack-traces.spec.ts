import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as path from "node:path";

// plan/cheap-stack-traces.ts replaces two internals of the Pulumi SDK (runtime/debuggable's debuggablePromise
// and Resource.callsites), which the SDK looks up on its module exports at each call. Were the SDK to rename
// either or to call it through a local binding, the replacement would silently stop applying and the plan
// would pay for a formatted stack per promise and per resource again. This spec proves, in a fresh plan
// process (the replacement also turns source maps off, which must not leak into the test process), that the
// SDK still calls both replacements while it registers a resource, and that they capture no frames.

const root = path.resolve(__dirname, "..", "..");

const PROBE = `
require("./plan/cheap-stack-traces");
const debuggable = require("@pulumi/pulumi/runtime/debuggable");
const { Resource } = require("@pulumi/pulumi/resource");
const pulumi = require("@pulumi/pulumi");
const { useMockStack } = require("./plan/mocks");
const { recordRegistrations } = require("./plan/run-program");
const installed = { debuggablePromise: debuggable.debuggablePromise, callsites: Resource.callsites };
const calls = { debuggablePromise: 0, callsites: 0 };
const traces = new Set();
// Counters around the installed replacements: they only count if the SDK looks them up where they were put.
debuggable.debuggablePromise = (promise, context) => {
  calls.debuggablePromise++;
  const tracked = installed.debuggablePromise(promise, context);
  // The SDK's own notes an id, context and stack on the promise it is given and returns a chained one.
  for (const name of Object.getOwnPropertyNames(promise)) traces.add(name);
  return tracked;
};
Resource.callsites = () => {
  calls.callsites++;
  return installed.callsites();
};
useMockStack("staging", {}, []);
recordRegistrations("staging", () => new pulumi.ComponentResource("platform:test:Probe", "probe")).then((record) => {
  console.log(JSON.stringify({
    names: { debuggablePromise: installed.debuggablePromise.name, callsites: installed.callsites.toString() },
    calls,
    traces: [...traces],
    callsites: installed.callsites(),
    sourceMapsEnabled: process.sourceMapsEnabled,
    resources: record.resources.map((r) => r.urn),
  }));
});
`;

interface ProbeResult {
  names: { debuggablePromise: string; callsites: string };
  calls: { debuggablePromise: number; callsites: number };
  traces: unknown[];
  callsites: unknown[];
  sourceMapsEnabled: boolean;
  resources: string[];
}

function probe(): ProbeResult {
  const node = path.join(root, "node_modules", ".bin", "node");
  const result = spawnSync(node, ["--require", "./plan/typescript-require.js", "-e", PROBE], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  expect(result.status, result.stderr).to.equal(0);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!) as ProbeResult;
}

describe("plan: cheap stack traces still replace the SDK's internals", () => {
  let result: ProbeResult;
  before(() => (result = probe()));

  it("registers the probe resource under the mock runtime", () => {
    expect(result.resources).to.deep.equal(["urn:pulumi:staging::platform::platform:test:Probe::probe"]);
  });

  it("the SDK calls the replaced debuggablePromise (looked up on runtime/debuggable's exports), which notes nothing on the promises", () => {
    expect(result.names.debuggablePromise).to.equal("debuggablePromiseWithoutStack");
    expect(result.calls.debuggablePromise).to.be.greaterThan(0);
    expect(result.traces).to.deep.equal([]);
  });

  it("keeps the SDK's leak report: a promise still pending at a normal exit fails the run with the SDK's message", () => {
    const leak = `
      require("./plan/cheap-stack-traces");
      const debuggable = require("@pulumi/pulumi/runtime/debuggable");
      const settled = [debuggable.debuggablePromise(Promise.resolve(1), "resolves"), debuggable.debuggablePromise(Promise.reject(new Error("refused")), "rejects").catch((e) => e)];
      debuggable.debuggablePromise(new Promise(() => {}), "never settles");
      Promise.all(settled).then(([value, error]) => console.log(JSON.stringify({ value, error: error.message, decorated: error.promise instanceof Promise })));
    `;
    const run = spawnSync(path.join(root, "node_modules", ".bin", "node"), ["--require", "./plan/typescript-require.js", "-e", leak], { cwd: root, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(JSON.parse(run.stdout.trim())).to.deep.equal({ value: 1, error: "refused", decorated: true });
    expect(run.stderr).to.contain("The Pulumi runtime detected that 1 promise was still active\nat the time that the process exited.");
    expect(run.status).to.equal(1);
  });

  it("the SDK calls the replaced Resource.callsites for each resource, which reports no call sites", () => {
    expect(result.calls.callsites).to.be.greaterThan(0);
    expect(result.callsites).to.deep.equal([]);
  });

  it("turns source maps off in the plan process unless asked for", () => {
    expect(result.sourceMapsEnabled).to.equal(false);
  });
});
