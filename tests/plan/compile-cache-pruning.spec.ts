import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MAX_ENTRIES, pruneCompileCache } from "../../plan/compile-cache-pruning";
import { UNUSED_DAYS } from "../../plan/once-a-day";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { NODE } from "../harness";

// Node's compile cache: a folder per Node version and V8 flags, an entry per module path. A plan deletes, once
// a day, the folders nothing wrote to for UNUSED_DAYS and those grown past MAX_ENTRIES.

const DAY = 24 * 60 * 60 * 1000;

describe("plan: Node's compile cache drops folders of another Node and folders grown past their use", () => {
  let dir: string;
  const now = Date.parse("2026-11-30T12:00:00Z");
  const folder = (name: string, entries: number, daysAgo: number) => {
    const full = path.join(dir, name);
    fs.mkdirSync(full);
    for (let i = 0; i < entries; i++) fs.writeFileSync(path.join(full, String(i)), "");
    const at = new Date(now - daysAgo * DAY);
    fs.utimesSync(full, at, at);
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-compile-cache-prune-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("deletes a folder unwritten for the limit and one past MAX_ENTRIES, keeps the others, at most once a day", () => {
    folder("v22.11.0-x64-aaaaaaaa-0", 3, UNUSED_DAYS + 1);
    folder("v22.23.3-x64-bbbbbbbb-0", MAX_ENTRIES + 1, 0);
    folder("v22.23.3-x64-cccccccc-0", 3, UNUSED_DAYS - 2);
    expect(pruneCompileCache(dir, now)).to.deep.equal(["v22.11.0-x64-aaaaaaaa-0", "v22.23.3-x64-bbbbbbbb-0"]);
    expect(fs.readdirSync(dir).sort()).to.deep.equal([".pruned", "v22.23.3-x64-cccccccc-0"]);
    folder("v22.11.0-x64-dddddddd-0", 3, UNUSED_DAYS + 1);
    expect(pruneCompileCache(dir, now + DAY / 2)).to.deep.equal([]);
    expect(pruneCompileCache(dir, now + DAY + 1)).to.deep.equal(["v22.11.0-x64-dddddddd-0"]);
  });

  it("is told a folder is in use: each process that loads plan/compile-cache.js marks its own folder used", () => {
    const cache = path.join(dir, "cache");
    const start = () => {
      const child = spawnSync(NODE, ["--require", "./plan/compile-cache.js", "-e", "process.stdout.write(require('node:module').getCompileCacheDir())"], {
        cwd: REPOSITORY_ROOT,
        env: { ...process.env, NODE_COMPILE_CACHE: cache },
        encoding: "utf8",
      });
      expect(child.status, child.stderr).to.equal(0);
      return child.stdout;
    };
    const own = start();
    expect(path.dirname(own)).to.equal(cache);
    const old = new Date(Date.now() - (UNUSED_DAYS + 1) * DAY);
    fs.utimesSync(own, old, old);
    expect(start()).to.equal(own);
    expect(pruneCompileCache(cache)).to.deep.equal([]);
    expect(fs.existsSync(own)).to.equal(true);
  });

  it("does nothing for a cache folder that does not exist", () => {
    expect(pruneCompileCache(path.join(dir, "none"), now)).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, "none"))).to.equal(false);
  });
});
