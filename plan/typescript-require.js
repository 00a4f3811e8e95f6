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
const root = path.resolve(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "platform-ts");
const OPTIONS = { loader: "ts", format: "cjs", target: "node22", platform: "node", sourcemap: "inline" };
// What decides the output besides the source: the transpiler and its options.
const salt = `${esbuild.version}\0${JSON.stringify(OPTIONS)}\0`;

function transpile(source, filename) {
  const key = crypto.createHash("sha256").update(salt).update(filename).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return fs.readFileSync(cached, "utf8");
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

Module._extensions[".ts"] = function loadTypeScript(module, filename) {
  module._compile(transpile(fs.readFileSync(filename, "utf8"), filename), filename);
};
