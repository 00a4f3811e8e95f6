import { expect } from "chai";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { freePort, ServerProcess, waitFor } from "../processes";
import { committedSettings, planStack, STACKS, type StackName } from "../harness";
import { Jaeger, type JaegerTrace, sameTraceId } from "./fixtures/jaeger";

/**
 * The platform's tracing settings, end to end on this machine: the env the platform renders for the api
 * app (its active colour's Deployment, from the committed stack file) configures a real OpenTelemetry
 * Node SDK in a real app, which exports over OTLP/HTTP to a real OTLP receiver and trace store (Jaeger
 * v2, standing in for Tempo). Only OTEL_EXPORTER_OTLP_ENDPOINT is pointed at 127.0.0.1 instead of Alloy.
 *
 * Tolerance of the kept share: trace ids are random, so each new trace is kept with probability p, and
 * the kept count of N is binomial. The test accepts |share − p| ≤ 5·√(p(1−p)/N): a correct sampler
 * fails it about once in two million runs, and a wrong ratio (production at 50 %, staging at 10 %) can
 * never pass it. With N = 3000: ±2.7 points at 10 %, ±4.6 points at 50 %.
 */
const NEW_TRACES = 3000;
const WITH_PARENT = 100;
const CONCURRENCY = 16;

interface Answer {
  readonly trace_id: string;
  readonly sampled: boolean;
}

/** A W3C traceparent of a caller that did (01) or did not (00) sample its trace. */
function traceparent(sampled: boolean): { traceId: string; header: string } {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString("hex")}-${sampled ? "01" : "00"}` };
}

async function inBatches<T>(count: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await send(i);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results;
}

describe("tracing end to end: the rendered OTEL_* environment in a real SDK and a real OTLP trace store", function () {
  for (const stack of STACKS) {
    describe(stack, () => {
      const settings = committedSettings(stack);
      const ratio = settings.traceSamplingPercent / 100;
      const tolerance = 5 * Math.sqrt((ratio * (1 - ratio)) / NEW_TRACES);
      let dir: string;
      let jaeger: Jaeger | undefined;
      let app: ServerProcess | undefined;
      let rendered: Record<string, string>;
      let color: string;
      let newTraces: Answer[];
      let sampledParents: string[];
      let unsampledParents: string[];
      let stored: JaegerTrace[];
      let appLog: string;

      before(async function () {
        this.timeout(300_000);
        const plan = await planStack(stack as StackName);
        color = settings.apps[0].activeColor;
        const container = plan.object("Deployment", "apps", `api-${color}`).spec.template.spec.containers[0];
        rendered = Object.fromEntries(
          (container.env as { name: string; value?: string }[]).filter((e) => e.value !== undefined && (e.name.startsWith("OTEL_") || e.name === "LOG_LEVEL")).map((e) => [e.name, e.value!]),
        );
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `tracing-${stack}-`));
        jaeger = await Jaeger.start(dir);
        const port = await freePort();
        // The platform's variables as rendered, the endpoint on this machine instead of Alloy, and the
        // app's own port; nothing from the test's environment leaks in.
        const env = { ...rendered, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpHttp, PORT: String(port) };
        app = new ServerProcess("traced app", process.execPath, ["--require", "tsx/cjs", "tests/tracing/fixtures/traced-app.ts"], `http://127.0.0.1:${port}`, {
          cwd: REPOSITORY_ROOT,
          env,
        });
        await app.ready("/health/ready", 60_000);

        const call = async (headers: Record<string, string> = {}) => {
          const response = await fetch(`${app!.url}/work`, { headers });
          if (!response.ok) throw new Error(`app answered ${response.status}`);
          return (await response.json()) as Answer;
        };
        newTraces = await inBatches(NEW_TRACES, () => call());
        const parents = [...Array.from({ length: WITH_PARENT }, () => traceparent(true)), ...Array.from({ length: WITH_PARENT }, () => traceparent(false))];
        const answers = await inBatches(parents.length, (i) => call({ traceparent: parents[i].header }));
        answers.forEach((answer, i) => expect(answer.trace_id, "the app continues its caller's trace").to.equal(parents[i].traceId));
        sampledParents = parents.slice(0, WITH_PARENT).map((p) => p.traceId);
        unsampledParents = parents.slice(WITH_PARENT).map((p) => p.traceId);

        // SIGTERM makes the app flush its exporter; then wait until the store holds every kept trace.
        const exit = await app.stop();
        expect(exit, app.log()).to.deep.equal({ code: 0, signal: null });
        appLog = app.printed;
        const expected = newTraces.filter((a) => a.sampled).length + WITH_PARENT;
        stored = await waitFor(
          `${expected} traces of service api in Jaeger`,
          async () => {
            const traces = await jaeger!.traces("api");
            return traces.length >= expected ? traces : undefined;
          },
          60_000,
          async () => `stored ${(await jaeger!.traces("api")).length}\njaeger log:\n${jaeger!.server.log()}`,
        );
      });

      after(async () => {
        await app?.stop();
        await jaeger?.server.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      });

      it(`the platform renders parentbased_traceidratio at ${settings.traceSamplingPercent} %, OTLP/HTTP to Alloy, LOG_LEVEL ${settings.logLevel}`, () => {
        expect(rendered).to.include({
          OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
          OTEL_TRACES_SAMPLER_ARG: String(ratio),
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://alloy.node-agents.svc.cluster.local:4318",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
          OTEL_SERVICE_NAME: "api",
          LOG_LEVEL: settings.logLevel,
        });
      });

      it(`keeps ${settings.traceSamplingPercent} % of ${NEW_TRACES} new traces, within 5 standard deviations`, () => {
        const kept = stored.filter((t) => newTraces.some((a) => sameTraceId(a.trace_id, t.traceID))).length;
        const share = kept / NEW_TRACES;
        console.log(`      ${stack}: ${kept} of ${NEW_TRACES} new traces stored, share ${share.toFixed(4)} (expected ${ratio} ± ${tolerance.toFixed(4)})`);
        expect(Math.abs(share - ratio), `share ${share}`).to.be.at.most(tolerance);
        // The tolerance tells the stacks apart: the other stack's ratio would fail here.
        const other = committedSettings(stack === "production" ? "staging" : "production").traceSamplingPercent / 100;
        expect(Math.abs(share - other), `share ${share} against the other stack's ${other}`).to.be.greaterThan(tolerance);
      });

      it("stores exactly the traces the SDK kept: none lost on the way, none kept against the sampler", () => {
        const keptByApp = new Set(newTraces.filter((a) => a.sampled).map((a) => BigInt(`0x${a.trace_id}`)));
        const storedNew = stored.filter((t) => newTraces.some((a) => sameTraceId(a.trace_id, t.traceID)));
        expect(storedNew.length).to.equal(keptByApp.size);
        for (const t of storedNew) expect(keptByApp.has(BigInt(`0x${t.traceID}`)), t.traceID).to.equal(true);
        expect(stored.length, "nothing else was stored (health checks are not traced)").to.equal(keptByApp.size + WITH_PARENT);
      });

      it("parent-based: a caller's decision wins over the ratio, both ways", () => {
        for (const id of sampledParents) expect(stored.some((t) => sameTraceId(t.traceID, id)), `sampled parent ${id}`).to.equal(true);
        for (const id of unsampledParents) expect(stored.some((t) => sameTraceId(t.traceID, id)), `unsampled parent ${id}`).to.equal(false);
      });

      it("a request's trace is found by the trace_id of its log line, with the environment, colour and version", async () => {
        const lines = appLog
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { level: string; msg: string; trace_id?: string; trace_flags?: string });
        const served = lines.find((l) => l.msg === "request served" && l.trace_flags === "01");
        expect(served, "a log line of a sampled request").to.not.equal(undefined);
        const found = await jaeger!.trace(served!.trace_id!);
        expect(found, `trace ${served!.trace_id}`).to.not.equal(undefined);
        expect(sameTraceId(found!.traceID, served!.trace_id!)).to.equal(true);
        const process = found!.processes[found!.spans[0].processID];
        expect(process.serviceName).to.equal("api");
        const tags = Object.fromEntries(process.tags.map((t) => [t.key, t.value]));
        const version = settings.apps[0].images[color as "blue" | "green"].split(":").pop();
        expect(tags).to.include({ "deployment.environment.name": stack, "deployment.color": color, "service.version": version, "k8s.namespace.name": "apps" });
        // An unsampled request's line has a trace id too, but no trace behind it.
        const unsampled = lines.find((l) => l.msg === "request served" && l.trace_flags === "00");
        expect(await jaeger!.trace(unsampled!.trace_id!)).to.equal(undefined);
      });

      it(`logs at the stack's LOG_LEVEL (${settings.logLevel})`, () => {
        const levels = new Set(
          appLog
            .split("\n")
            .filter((line) => line.startsWith("{"))
            .map((line) => (JSON.parse(line) as { level: string }).level),
        );
        expect(levels.has("INFO")).to.equal(true);
        expect(levels.has("DEBUG")).to.equal(settings.logLevel === "DEBUG");
      });
    });
  }
});
