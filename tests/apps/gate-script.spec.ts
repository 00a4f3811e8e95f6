import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { errorRatioQuery, GATE_SCRIPT_PATH, gateEnvironment, resolveAppSpec } from "../../components/apps";
import { stackApp, stackTelemetry } from "./fixtures/apps-config";
import { HttpStub, type StubResponse, vectorAnswer } from "./fixtures/http-stub";
import { run, type RunResult } from "../processes";

/** The staging app's gate, exactly as the Job would get it, pointed at the stubs instead of the cluster. */
const spec = resolveAppSpec(stackApp("staging"), "staging", "monitoring", stackTelemetry("staging"));
const TARGET = "api green (ghcr.io/example/api:1.5.0)";
const QUERY = errorRatioQuery(spec, "green");

const HEALTHY: Record<string, StubResponse> = {
  "/health/live": { status: 200, body: '{"status":"ok"}' },
  "/health/ready": { status: 200, body: '{"status":"ok"}' },
  "/api/v1/status": { status: 200, body: '{"status":"ok","version":"1.5.0"}' },
};

describe("blue-green-gate.sh against local HTTP stubs (real sh + curl)", function () {
  let app: HttpStub;
  let prometheus: HttpStub;
  /** A port on 127.0.0.1 nothing listens on: a stopped stub's. */
  let closedUrl: string;

  before(async () => {
    [app, prometheus] = await Promise.all([HttpStub.start(), HttpStub.start()]);
    const closed = await HttpStub.start();
    closedUrl = closed.url;
    await closed.stop();
  });

  after(async () => {
    await Promise.allSettled([app?.stop(), prometheus?.stop()]);
  });

  /** Runs the committed script with the builder's environment, `overrides` applied (undefined removes). */
  async function gate(
    routes: Record<string, StubResponse>,
    query: StubResponse | StubResponse[],
    overrides: Record<string, string | undefined> = {},
  ): Promise<RunResult> {
    app.reset(routes);
    prometheus.reset({ "/api/v1/query": query });
    const env: NodeJS.ProcessEnv = {
      PATH: "/usr/bin:/bin",
      LANG: "C.UTF-8",
      ...Object.fromEntries(gateEnvironment(spec).map((e) => [e.name, e.value!])),
      PREVIEW_URL: app.url,
      PROMETHEUS_URL: prometheus.url,
      TIMEOUT_SECONDS: "2",
      METRICS_WAIT_SECONDS: "0",
    };
    for (const [name, value] of Object.entries(overrides)) {
      if (value === undefined) delete env[name];
      else env[name] = value;
    }
    return run("/bin/sh", [GATE_SCRIPT_PATH], { env, timeoutMs: 30_000 });
  }

  const lastLine = (r: RunResult) => r.stdout.trimEnd().split("\n").pop();

  it("is shellcheck-clean", () => {
    const result = spawnSync("/usr/bin/shellcheck", [GATE_SCRIPT_PATH], { encoding: "utf8" });
    expect(result.stdout + result.stderr).to.equal("");
    expect(result.status).to.equal(0);
  });

  it("healthy preview, low error ratio: exit 0 and a PASS line", async () => {
    const r = await gate(HEALTHY, vectorAnswer("0.001"));
    expect(r.stdout.trimEnd().split("\n")).to.deep.equal([
      "gate: ok GET /health/live -> 200",
      "gate: ok GET /health/ready -> 200",
      "gate: ok GET /api/v1/status -> 200",
      `gate: PASS ${TARGET}: 3 HTTP checks passed; error ratio 0.001 over 5m is below 0.05`,
    ]);
    expect(r.status).to.equal(0);
    expect(app.requests.map((q) => `${q.method} ${q.path}`)).to.deep.equal(["GET /health/live", "GET /health/ready", "GET /api/v1/status"]);
    // The query reaches Prometheus intact (URL-encoded by curl, decoded by the server).
    expect(prometheus.requests).to.deep.equal([{ method: "GET", path: "/api/v1/query", query: { query: QUERY } }]);
  });

  it("a 500 on a health endpoint: exit 1, names the path and both codes, never asks Prometheus", async () => {
    const r = await gate({ ...HEALTHY, "/health/ready": { status: 500, body: "boom" } }, vectorAnswer("0"));
    expect(lastLine(r)).to.equal("gate: FAIL GET /health/ready: status 500, expected 200");
    expect(r.status).to.equal(1);
    expect(prometheus.requests).to.deep.equal([]);
  });

  it("a slow endpoint: exit 1 after the request timeout", async () => {
    const r = await gate({ ...HEALTHY, "/health/live": { status: 200, body: "late", delayMs: 5000 } }, vectorAnswer("0"), { TIMEOUT_SECONDS: "1" });
    expect(lastLine(r)).to.equal(`gate: FAIL GET /health/live: no response within 1s (${app.url})`);
    expect(r.status).to.equal(1);
    expect(r.timedOut).to.equal(false);
  });

  it("the wrong body: exit 1, quotes the text it looked for", async () => {
    const r = await gate({ ...HEALTHY, "/api/v1/status": { status: 200, body: '{"status":"degraded"}' } }, vectorAnswer("0"));
    expect(lastLine(r)).to.equal('gate: FAIL GET /api/v1/status: status 200 but the body does not contain ""status":"ok""');
    expect(r.status).to.equal(1);
  });

  it("a configured non-200 status is what the check expects", async () => {
    const r = await gate({ ...HEALTHY, "/admin": { status: 401, body: "" } }, vectorAnswer("0"), { CHECKS: "/health/ready 200\n/admin 401" });
    expect(lastLine(r)).to.equal(`gate: PASS ${TARGET}: 2 HTTP checks passed; error ratio 0 over 5m is below 0.05`);
    expect(r.status).to.equal(0);
  });

  it("nothing listening on the preview: exit 1, cannot connect", async () => {
    const r = await gate(HEALTHY, vectorAnswer("0"), { PREVIEW_URL: closedUrl });
    expect(lastLine(r)).to.equal(`gate: FAIL GET /health/live: cannot connect (${closedUrl})`);
    expect(r.status).to.equal(1);
  });

  it("a high error ratio from the Prometheus query API: exit 1 with the ratio and the threshold", async () => {
    const r = await gate(HEALTHY, vectorAnswer("0.2"));
    expect(lastLine(r)).to.equal(`gate: FAIL error ratio 0.2 of ${TARGET} over 5m is at or above the threshold 0.05`);
    expect(r.status).to.equal(1);
  });

  it("a ratio exactly at the threshold fails; just below passes", async () => {
    const at = await gate(HEALTHY, vectorAnswer("0.05"));
    expect([at.status, lastLine(at)]).to.deep.equal([1, `gate: FAIL error ratio 0.05 of ${TARGET} over 5m is at or above the threshold 0.05`]);
    const below = await gate(HEALTHY, vectorAnswer("0.0499"));
    expect([below.status, lastLine(below)]).to.deep.equal([0, `gate: PASS ${TARGET}: 3 HTTP checks passed; error ratio 0.0499 over 5m is below 0.05`]);
  });

  it("no sample (empty result): fails closed", async () => {
    const r = await gate(HEALTHY, vectorAnswer());
    expect(lastLine(r)).to.equal(`gate: FAIL no error-ratio data for ${TARGET} after waiting 0s: the query returned no sample (the gate fails closed without data)`);
    expect(r.status).to.equal(1);
  });

  it("NaN (no requests in the window): fails closed", async () => {
    const r = await gate(HEALTHY, vectorAnswer("NaN"));
    expect(lastLine(r)).to.equal(`gate: FAIL no error-ratio data for ${TARGET} after waiting 0s: the ratio is NaN (no requests in 5m) (the gate fails closed without data)`);
    expect(r.status).to.equal(1);
  });

  it("waits for the first sample within METRICS_WAIT_SECONDS, then judges it", async () => {
    const r = await gate(HEALTHY, [vectorAnswer(), vectorAnswer("0")], { METRICS_WAIT_SECONDS: "20", POLL_INTERVAL_SECONDS: "1" });
    expect(r.stdout).to.include("gate: waiting 1s for Prometheus: the query returned no sample\n");
    expect(lastLine(r)).to.equal(`gate: PASS ${TARGET}: 3 HTTP checks passed; error ratio 0 over 5m is below 0.05`);
    expect(r.status).to.equal(0);
    expect(prometheus.requests).to.have.lengthOf(2);
  });

  it("a rejected query: exit 1 with Prometheus' own error", async () => {
    const bad = { status: 400, body: '{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}' };
    const r = await gate(HEALTHY, bad, { METRICS_WAIT_SECONDS: "20" });
    expect(lastLine(r)).to.equal(`gate: FAIL error ratio of ${TARGET}: Prometheus rejected the query with status 400: 1:5: parse error: unexpected end of input`);
    expect(r.status).to.equal(1);
    expect(prometheus.requests, "a wrong query is not retried").to.have.lengthOf(1);
  });

  it("Prometheus unreachable: exit 1 once the wait is over", async () => {
    const r = await gate(HEALTHY, vectorAnswer("0"), { PROMETHEUS_URL: closedUrl });
    expect(lastLine(r)).to.equal(`gate: FAIL error ratio of ${TARGET} unavailable after waiting 0s: Prometheus at ${closedUrl}: cannot connect`);
    expect(r.status).to.equal(1);
  });

  it("more than one series: refuses to pick one", async () => {
    const r = await gate(HEALTHY, vectorAnswer("0.001", "0.3"));
    expect(lastLine(r)).to.equal(`gate: FAIL error ratio of ${TARGET}: the query returned 2 series; it must return one (aggregate it with sum)`);
    expect(r.status).to.equal(1);
  });

  it("reads a scalar result and pretty-printed JSON", async () => {
    const scalar = { status: 200, body: '{\n  "status" : "success",\n  "data" : { "resultType" : "scalar", "result" : [ 1700000000.5, "0.002" ] }\n}' };
    const r = await gate(HEALTHY, scalar);
    expect(lastLine(r)).to.equal(`gate: PASS ${TARGET}: 3 HTTP checks passed; error ratio 0.002 over 5m is below 0.05`);
    expect(r.status).to.equal(0);
  });

  it("a value that is not a number: exit 1", async () => {
    const r = await gate(HEALTHY, vectorAnswer("+Inf"));
    expect(lastLine(r)).to.equal(`gate: FAIL error ratio of ${TARGET}: the query returned "+Inf", not a ratio`);
    expect(r.status).to.equal(1);
  });

  const configurationErrors: [string, Record<string, string | undefined>, string][] = [
    ["PREVIEW_URL missing", { PREVIEW_URL: undefined }, "gate: FAIL configuration: PREVIEW_URL is not set"],
    ["ERROR_RATIO_QUERY missing", { ERROR_RATIO_QUERY: undefined }, "gate: FAIL configuration: ERROR_RATIO_QUERY is not set"],
    ["threshold not a number", { ERROR_RATIO_THRESHOLD: "1%" }, 'gate: FAIL configuration: ERROR_RATIO_THRESHOLD must be a number such as 0.01 (got "1%")'],
    ["timeout 0", { TIMEOUT_SECONDS: "0" }, 'gate: FAIL configuration: TIMEOUT_SECONDS must be a positive whole number (got "0")'],
    ["check without a status", { CHECKS: "/health/ready" }, 'gate: FAIL configuration: CHECKS: no status code after the path (line "/health/ready")'],
    ["check with a bad status", { CHECKS: "/health/ready OK" }, 'gate: FAIL configuration: CHECKS: "OK" is not an HTTP status code (line "/health/ready OK")'],
    ["check without a leading /", { CHECKS: "health 200" }, 'gate: FAIL configuration: CHECKS: "health" is not a path starting with / (line "health 200")'],
    ["no check at all", { CHECKS: "\n\n" }, "gate: FAIL configuration: CHECKS has no check"],
  ];
  for (const [what, overrides, message] of configurationErrors) {
    it(`configuration error, ${what}: exit 2`, async () => {
      const r = await gate(HEALTHY, vectorAnswer("0"), overrides);
      expect(lastLine(r)).to.equal(message);
      expect(r.status).to.equal(2);
    });
  }
});
