/**
 * Imported first by the plan's command-line entry points (plan/cli.ts, bench/plan-once.ts), before anything
 * loads the Pulumi SDK. The SDK's runtime/index.js loads its closure serialization at once
 * (runtime/closure/serializeClosure and codePaths, which bring TypeScript's compiler and npm's arborist with
 * pacote, sigstore and some two hundred other modules) for `runtime.serializeFunction` and
 * `runtime.computeCodePaths`: serialising JavaScript functions for dynamic providers and callbacks, which
 * the platform program never does. That was about two fifths of what loading the four SDKs costs. So, in
 * the plan process only, runtime/index.js gets stand-ins for those two modules whose functions load the
 * real module on their first call and hand it the call: nothing changes for a program that does serialise
 * a function, it only pays for the loading then. tests/plan/lazy-closure-serialization.spec.ts holds the
 * stand-ins to the names runtime/index.js reads.
 */
import Module = require("node:module");

/** What runtime/index.js reads from each module it requires, by the request it requires it with. */
export const LAZY_CLOSURE_MODULES: Readonly<Record<string, readonly string[]>> = {
  "./closure/serializeClosure": ["serializeFunction", "serializeFunctionAsync"],
  "./closure/codePaths": ["computeCodePaths"],
};

type Load = (request: string, parent: NodeModule | undefined, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
const RUNTIME_INDEX = /[\\/]@pulumi[\\/]pulumi[\\/]runtime[\\/]index\.js$/;

function standIn(request: string, parent: NodeModule, names: readonly string[]): Record<string, unknown> {
  let real: Record<string, (...args: unknown[]) => unknown> | undefined;
  const stub: Record<string, unknown> = {};
  for (const name of names) {
    stub[name] = function (this: unknown, ...args: unknown[]) {
      real ??= load(request, parent, false) as Record<string, (...args: unknown[]) => unknown>;
      return real[name].apply(this, args);
    };
  }
  return stub;
}

loader._load = function loadWithLazyClosureSerialization(request, parent, isMain) {
  const names = LAZY_CLOSURE_MODULES[request];
  if (names && parent && RUNTIME_INDEX.test(parent.filename)) return standIn(request, parent, names);
  return load.call(this, request, parent, isMain);
};
