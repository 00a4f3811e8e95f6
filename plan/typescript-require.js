// `npm run plan` loads the TypeScript through this require hook instead of tsx. It transpiles each .ts file
// with tsx's own esbuild (the same transform) and keeps the result in node_modules/.cache/platform-ts by
// content, and does nothing else: tsx also inspects every JavaScript file of node_modules for ES module
// syntax, which cost the plan about a second of CPU time, as much as Node loading the four Pulumi SDKs.
// Only CommonJS TypeScript is needed (package.json has no "type": "module"); tests and other scripts keep tsx.
"use strict";
require("./compile-cache");
require("./resolve-cache");
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const esbuild = require(require.resolve("esbuild", { paths: [path.dirname(require.resolve("tsx/package.json"))] }));
const { PLAN_TRANSPILE_CACHE_DIR: cacheDir } = require("./cache-dir");
const OPTIONS = { loader: "ts", format: "cjs", target: "node22", platform: "node", sourcemap: "inline" };
// What decides the output besides the source: the transpiler and its options.
const salt = `${esbuild.version}\0${JSON.stringify(OPTIONS)}\0`;

/** Where the transpiled text of this source at this path is kept. */
function transpiledPath(source, filename) {
  const key = crypto.createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex");
  return path.join(cacheDir, `${key}.js`);
}

function transpile(source, filename) {
  const cached = transpiledPath(source, filename);
  try {
    const code = fs.readFileSync(cached, "utf8");
    markUsed(cached);
    return code;
  } catch {
    const { code } = esbuild.transformSync(source, { ...OPTIONS, sourcefile: filename });
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${cached}.${process.pid}.tmp`;
      fs.writeFileSync(partial, code);
      fs.renameSync(partial, cached);
    } catch {
      // A read-only node_modules only costs the next run the transform.
    }
    return code;
  }
}

// Every edit of a file and every path a file is loaded from (each `--diff` checks the baseline out into a new
// temporary folder) leaves an entry behind, so a plan deletes, once a day, those no plan read for 30 days
// (plan/transpile-cache-pruning.ts). An entry read is marked used by its modification time, at most once a day:
// a plan reads a few hundred and rewrites none of their times on most days.
function markUsed(file) {
  try {
    const now = Date.now();
    if (now - fs.statSync(file).mtimeMs < 24 * 60 * 60 * 1000) return;
    fs.utimesSync(file, new Date(now), new Date(now));
  } catch {
    // A read-only cache is only never pruned.
  }
}

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};

module.exports = { transpiledPath };
