/**
 * Imported by the plan's command-line entry points (plan/cli.ts, bench/plan-once.ts) right after
 * plan/lazy-closure-serialization.ts, and by every mocha process (.mocharc.json), before the Pulumi SDK
 * loads. Pulumi formats `new Error().stack` for every promise it creates (debuggablePromise keeps it for a
 * report of leaked promises) and for every resource (Resource.callsites, for source positions).
 * Under tsx each frame was also mapped through the TypeScript source maps: together a third of the plan's
 * CPU time, growing with every resource. So, in the plan process only:
 * - source maps are off: the plan prints error messages, never stacks (to debug with TypeScript positions,
 *   run `NODE_OPTIONS=--enable-source-maps npm run plan ...`);
 * - debuggablePromise keeps its leak report but notes no stack, id or context on each promise (they only ever
 *   appear in the report's PULUMI_DEBUG_PROMISE_LEAKS details, and with that set the SDK's own runs).
 *   Every other error keeps its stack;
 * - a resource reports no call sites: they become the source position and stack trace a registration sends
 *   the engine, which the mock monitor drops and the plan never records.
 */
// Internal to the SDK (no typings); its callers look the function up on this module's exports at each call.
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
  debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T>;
  leakedPromises(): [Set<Promise<unknown>>, string];
  debugPromiseLeaks: boolean;
};
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { leakCandidates: Set<Promise<unknown>>; terminated?: boolean } };
const log = require("@pulumi/pulumi/log") as { hasErrors(): boolean };

const sourceMapsAsked = process.execArgv.includes("--enable-source-maps") || (process.env.NODE_OPTIONS ?? "").includes("--enable-source-maps");
if (!sourceMapsAsked) process.setSourceMapsEnabled(false);

const track = debuggable.debuggablePromise;
let leakReportScheduled = false;
/**
 * The SDK's debuggablePromise (runtime/debuggable.js) without the debugging goo: the same leak candidates
 * and the same report at exit, but no id, context and stack noted on each promise (only
 * PULUMI_DEBUG_PROMISE_LEAKS prints them, and then the SDK's own function runs), and one chained promise
 * instead of two.
 */
debuggable.debuggablePromise = function debuggablePromiseWithoutStack<T>(promise: Promise<T>, context: unknown): Promise<T> {
  if (debuggable.debugPromiseLeaks) return track(promise, context);
  const localStore = state.getStore();
  if (!leakReportScheduled) {
    leakReportScheduled = true;
    // The SDK's exit hook, word for word: only a normal exit reports leaks, and they fail the run.
    process.on("exit", () => {
      if ((process.exitCode === undefined || process.exitCode === 0) && !log.hasErrors() && !localStore.terminated) {
        const [leaks, message] = debuggable.leakedPromises();
        if (leaks.size === 0) return;
        console.error(message);
        process.exitCode = 1;
      }
    });
  }
  localStore.leakCandidates.add(promise);
  return promise.then(
    (value) => {
      localStore.leakCandidates.delete(promise);
      return value;
    },
    (err: { promise?: unknown }) => {
      localStore.leakCandidates.delete(promise);
      err.promise = promise;
      throw err;
    },
  );
};

// Looked up on the class at each construction (Resource.stackTrace calls Resource.callsites).
const { Resource } = require("@pulumi/pulumi/resource") as { Resource: { callsites(): unknown[] } };
Resource.callsites = () => [];
