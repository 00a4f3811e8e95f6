// The per-user cache folder of this OS (XDG on Linux), as other developer tools use it: the plan keeps its
// caches under <this>/platform. Plain JavaScript because plan/compile-cache.js needs it before TypeScript loads.
"use strict";
const os = require("node:os");
const path = require("node:path");

/** The per-user cache folder of this OS, as `env` (the process's by default) sets it. */
function osCacheDir(env = process.env) {
  if (process.platform === "darwin") return path.join(os.homedir(), "Library", "Caches");
  if (process.platform === "win32") return env.LOCALAPPDATA || path.join(os.homedir(), "AppData", "Local");
  return env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
}

/** Where the plan keeps Node's compile cache (plan/compile-cache.js) unless NODE_COMPILE_CACHE says otherwise. */
const PLAN_COMPILE_CACHE_DIR = path.join(osCacheDir(), "platform", "node-compile-cache");

/**
 * Where `npm run plan` keeps the TypeScript it transpiled (plan/typescript-require.js): in the checkout's
 * node_modules, so a fresh `npm ci` starts it empty.
 */
const PLAN_TRANSPILE_CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "platform-ts");

module.exports = { osCacheDir, PLAN_COMPILE_CACHE_DIR, PLAN_TRANSPILE_CACHE_DIR };
