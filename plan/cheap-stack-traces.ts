/**
 * Imported first by the plan's command-line entry points (plan/cli.ts, bench/plan-once.ts), before the
 * Pulumi SDK loads. Pulumi formats `new Error().stack` for every promise it creates (debuggablePromise keeps
 * it for a report of leaked promises) and for every resource (Resource.callsites, for source positions).
 * Under tsx each frame was also mapped through the TypeScript source maps: together a third of the plan's
 * CPU time, growing with every resource. So, in the plan process only:
 * - source maps are off: the plan prints error messages, never stacks (to debug with TypeScript positions,
 *   run `NODE_OPTIONS=--enable-source-maps npm run plan ...`);
 * - debuggablePromise captures no frames: its trace only ever appears in the leak report, which names the
 *   promise's context (`_debugCtx`) anyway. Every other error keeps its stack;
 * - a resource reports no call sites: they become the source position and stack trace a registration sends
 *   the engine, which the mock monitor drops and the plan never records.
 */
// Internal to the SDK (no typings); its callers look the function up on this module's exports at each call.
const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T> };

const sourceMapsAsked = process.execArgv.includes("--enable-source-maps") || (process.env.NODE_OPTIONS ?? "").includes("--enable-source-maps");
if (!sourceMapsAsked) process.setSourceMapsEnabled(false);

const track = debuggable.debuggablePromise;
debuggable.debuggablePromise = function debuggablePromiseWithoutStack<T>(promise: Promise<T>, context: unknown): Promise<T> {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return track(promise, context);
  } finally {
    Error.stackTraceLimit = limit;
  }
};

// Looked up on the class at each construction (Resource.stackTrace calls Resource.callsites).
const { Resource } = require("@pulumi/pulumi/resource") as { Resource: { callsites(): unknown[] } };
Resource.callsites = () => [];
