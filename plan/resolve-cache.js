// Module resolution remembered between plans. Every plan resolves the same 2,500 `require` requests, and
// Node finds each by trying candidate files one stat at a time (foo, foo.js, foo.json, foo.node, foo.ts,
// foo/index...) and reading package.json files up the tree: about an eighth of a production plan's CPU time.
// Required by plan/typescript-require.js (so by `npm run plan`), right after the compile cache.
//
// What is kept: for each request from a module of this checkout (the program, the plan, node_modules), the
// file Node resolved it to, and the modification time of the folder that decides it. A hit is used only while
// that folder is unchanged (creating or deleting a file changes its folder's time, so a new `foo.js` beside
// `foo.ts`, or a deleted file, sends the request back to Node): for `./foo` or `../bar/foo` the folder the
// request names, for a package name the resolved file's folder, and the whole record is dropped when
// node_modules/.package-lock.json (npm writes it on every install) or Node's version changes. Requests with
// options (`require.resolve(x, { paths })`), built-in modules and modules outside the checkout (the --diff
// plan's temporary worktree) go to Node as always. RESOLVE_CACHE=off turns it off.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const { osCacheDir } = require("./cache-dir");

const ROOT = path.resolve(__dirname, "..");
const RECORDS_DIR = path.join(osCacheDir(), "platform", "module-resolutions");

/** What invalidates every entry: Node's version and the last npm install in this checkout. */
function installStamp() {
  const lock = fs.statSync(path.join(ROOT, "node_modules", ".package-lock.json"), { throwIfNoEntry: false });
  return `${process.version}\0${lock ? `${lock.size}\0${lock.mtimeMs}` : "no lock"}`;
}

function recordFile() {
  return path.join(RECORDS_DIR, `${crypto.createHash("sha1").update(ROOT).digest("hex").slice(0, 20)}.json`);
}

/** The folder whose contents decide what `request` from `parentDir` resolves to. */
function decidingFolder(request, parentDir, filename) {
  if (request.startsWith("./") || request.startsWith("../") || request === "." || request === ".." || path.isAbsolute(request)) {
    return path.dirname(path.resolve(parentDir, request));
  }
  return path.dirname(filename);
}

function folderTime(folder) {
  const stat = fs.statSync(folder, { throwIfNoEntry: false });
  return stat ? stat.mtimeMs : -1;
}

function install() {
  if (process.env.RESOLVE_CACHE === "off") return;
  const file = recordFile();
  const stamp = installStamp();
  /** `${parentDir}\0${request}` → [filename, folder, folder's mtimeMs] */
  let entries = new Map();
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8"));
    if (record.stamp === stamp) entries = new Map(Object.entries(record.entries));
  } catch {
    // No record yet or an unreadable one: Node resolves everything, and the record starts afresh.
  }
  let changed = false;
  const resolve = Module._resolveFilename;
  const inCheckout = (dir) => dir === ROOT || dir.startsWith(ROOT + path.sep);

  Module._resolveFilename = function resolveRemembered(request, parent, isMain, options) {
    const parentDir = parent && parent.filename ? path.dirname(parent.filename) : undefined;
    if (options !== undefined || isMain || parentDir === undefined || !inCheckout(parentDir) || Module.isBuiltin(request)) {
      return resolve.call(this, request, parent, isMain, options);
    }
    const key = `${parentDir}\0${request}`;
    const known = entries.get(key);
    if (known !== undefined && folderTime(known[1]) === known[2]) return known[0];
    const filename = resolve.call(this, request, parent, isMain, options);
    if (inCheckout(filename)) {
      const folder = decidingFolder(request, parentDir, filename);
      entries.set(key, [filename, folder, folderTime(folder)]);
      changed = true;
    }
    return filename;
  };

  process.on("exit", () => {
    if (!changed) return;
    try {
      fs.mkdirSync(RECORDS_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ stamp, entries: Object.fromEntries(entries) }));
      fs.renameSync(tmp, file);
    } catch {
      // A read-only cache folder only costs the next plan the resolutions.
    }
  });
}

install();

module.exports = { RECORDS_DIR, recordFile };
