import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PLAN_TRANSPILE_CACHE_DIR } from "../../plan/cache-dir";
import { DAY_MS, UNUSED_DAYS } from "../../plan/once-a-day";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { MAX_ENTRIES, pruneTranspileCache } from "../../plan/transpile-cache-pruning";
import { NODE } from "../harness";

// `npm run plan`'s transpiled TypeScript: an entry per path and content. A plan marks what it reads and deletes,
// once a day, the entries unread for UNUSED_DAYS.

describe("plan: the transpiled TypeScript cache drops entries no plan reads", () => {
  let dir: string;
  const now = Date.parse("2026-11-30T12:00:00Z");
  const entry = (name: string, daysAgo: number) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, "");
    const at = new Date(now - daysAgo * DAY_MS);
    fs.utimesSync(file, at, at);
  };
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-transpile-cache-prune-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("deletes entries unread for the limit and partial writes older than a day, keeps the others, at most once a day", () => {
    entry("a.js", UNUSED_DAYS + 1);
    entry("b.js", UNUSED_DAYS - 2);
    entry("b.js.123.tmp", 2);
    entry("c.js.456.tmp", 0.5);
    expect(pruneTranspileCache(dir, now)).to.deep.equal(["a.js", "b.js.123.tmp"]);
    expect(fs.readdirSync(dir).sort()).to.deep.equal([".pruned", "b.js", "c.js.456.tmp"]);
    entry("d.js", UNUSED_DAYS + 1);
    expect(pruneTranspileCache(dir, now + DAY_MS / 2)).to.deep.equal([]);
    expect(pruneTranspileCache(dir, now + DAY_MS + 1)).to.deep.equal(["c.js.456.tmp", "d.js"]);
  });

  it("keeps at most MAX_ENTRIES entries, the most recently read", () => {
    for (let i = 0; i <= MAX_ENTRIES; i++) entry(`${String(i).padStart(5, "0")}.js`, i / (MAX_ENTRIES + 1));
    expect(pruneTranspileCache(dir, now)).to.deep.equal([`${String(MAX_ENTRIES).padStart(5, "0")}.js`]);
    expect(fs.readdirSync(dir)).to.have.lengthOf(MAX_ENTRIES + 1);
  });

  it("does nothing for a cache folder that does not exist", () => {
    expect(pruneTranspileCache(path.join(dir, "none"), now)).to.deep.equal([]);
    expect(fs.existsSync(path.join(dir, "none"))).to.equal(false);
  });

  it("is told an entry is in use: loading a file through plan/typescript-require.js marks its entry read", () => {
    // A source of its own, so its entry is this test's alone; what the hook makes of it, it says itself.
    const source = path.join(dir, "probe.ts");
    fs.writeFileSync(source, `export const probe: string = "${path.basename(dir)}";\n`);
    const load = () => {
      const child = spawnSync(
        NODE,
        ["--require", "./plan/typescript-require.js", "-e", `require(process.argv[1]); process.stdout.write(require("./plan/typescript-require.js").transpiledPath(require("node:fs").readFileSync(process.argv[1], "utf8"), process.argv[1]))`, source],
        { cwd: REPOSITORY_ROOT, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } },
      );
      expect(child.status, child.stderr).to.equal(0);
      return child.stdout;
    };
    const cached = load();
    try {
      expect(path.dirname(cached)).to.equal(PLAN_TRANSPILE_CACHE_DIR);
      const old = new Date(Date.now() - (UNUSED_DAYS + 1) * DAY_MS);
      fs.utimesSync(cached, old, old);
      expect(load()).to.equal(cached);
      expect(Date.now() - fs.statSync(cached).mtimeMs).to.be.below(DAY_MS);
    } finally {
      fs.rmSync(cached, { force: true });
    }
  });
});
