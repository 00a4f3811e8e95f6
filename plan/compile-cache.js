// Node's compile cache (V8 code cache on disk) for the plan process: loading the Pulumi SDKs and the program
// compiles the same few thousand modules on every plan, about a fifth of a production plan's CPU time.
// Required first by plan/typescript-require.js (so by `npm run plan`), and by the bench's floor with the
// cache, which the plan's ratio is then measured against. The cache lives in the OS cache folder, keyed by
// Node's version and flags and each file's path and content, pruned once a day (plan/compile-cache-pruning.ts);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off, NODE_COMPILE_CACHE moves it.
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const { PLAN_COMPILE_CACHE_DIR } = require("./cache-dir");

// An older Node without the API simply compiles everything.
if (typeof Module.enableCompileCache === "function") {
  Module.enableCompileCache(process.env.NODE_COMPILE_CACHE || PLAN_COMPILE_CACHE_DIR);
  // Node writes into its folder (one per Node version and V8 flags) only what it compiled anew: marking it
  // used tells the daily pruning that a process still reads it.
  const used = Module.getCompileCacheDir?.();
  if (used) {
    try {
      const now = new Date();
      fs.utimesSync(used, now, now);
    } catch {
      // A read-only cache is only never pruned.
    }
  }
}

