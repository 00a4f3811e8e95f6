import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultRenderCacheDir } from "../../plan/render-charts";
import { toolsDir } from "../../plan/tools";

// plan/resolve-cache.js remembers, between plans, which file each `require` request resolved to. A remembered
// resolution must never differ from Node's: it is trusted only while the folder deciding it is unchanged and
// the last npm install is the same. These run the plan's loader in fresh processes (the cache is installed on
// load) with a cache folder of their own, over a fixture inside the checkout (only the checkout's modules are
// remembered), and check the production plan's whole record against Node's own resolution.

const root = path.resolve(__dirname, "..", "..");
const node = path.join(root, "node_modules", ".bin", "node");

interface ResolutionRecord {
  stamp: string;
  entries: { [key: string]: [string, string, number] };
}

describe("plan: module resolutions remembered between plans", () => {
  let cache: string;
  let fixture: string;
  const recordOf = (): ResolutionRecord => {
    const dir = path.join(cache, "platform", "module-resolutions");
    const [file] = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    return JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as ResolutionRecord;
  };
  const writeRecord = (record: ResolutionRecord) => {
    const dir = path.join(cache, "platform", "module-resolutions");
    const [file] = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
    fs.writeFileSync(path.join(dir, file), JSON.stringify(record));
  };
  const run = (env: NodeJS.ProcessEnv = {}) => {
    const result = spawnSync(node, ["--require", "./plan/typescript-require.js", path.join(fixture, "main.ts")], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "", XDG_CACHE_HOME: cache, ...env },
    });
    expect(result.status, result.stderr).to.equal(0);
    return result.stdout.trim();
  };
  const module = (file: string, name: string) => {
    fs.mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
    fs.writeFileSync(path.join(fixture, file), `module.exports = { name: ${JSON.stringify(name)} };\n`);
  };

  beforeEach(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), "platform-resolve-cache-"));
    // build/ (git ignores it) may not exist yet in a fresh clone.
    fs.mkdirSync(path.join(root, "build"), { recursive: true });
    fixture = fs.mkdtempSync(path.join(root, "build", "resolve-cache-fixture-"));
    fs.writeFileSync(path.join(fixture, "main.ts"), 'console.log((require("./b") as { name: string }).name);\n');
    module("b.ts", "b.ts");
    module("c.ts", "c.ts");
  });
  afterEach(() => {
    fs.rmSync(cache, { recursive: true, force: true });
    fs.rmSync(fixture, { recursive: true, force: true });
  });

  it("remembers a resolution, and uses it while the folder that decides it is unchanged", () => {
    expect(run()).to.equal("b.ts");
    const record = recordOf();
    const key = `${fixture}\0./b`;
    expect(record.entries[key].slice(0, 2)).to.deep.equal([path.join(fixture, "b.ts"), fixture]);
    // A hit is trusted: pointed at another file, with the folder's time as it is, the next run loads that one.
    record.entries[key][0] = path.join(fixture, "c.ts");
    writeRecord(record);
    expect(run()).to.equal("c.ts");
    expect(run({ RESOLVE_CACHE: "off" })).to.equal("b.ts");
  });

  it("resolves again when a file appears that shadows the remembered one, or the remembered one goes", () => {
    expect(run()).to.equal("b.ts");
    module("b.js", "b.js");
    expect(run()).to.equal("b.js");
    fs.rmSync(path.join(fixture, "b.js"));
    fs.rmSync(path.join(fixture, "b.ts"));
    module("b/index.ts", "b/index.ts");
    expect(run()).to.equal("b/index.ts");
  });

  it("drops every remembered resolution after an npm install or with another Node", () => {
    expect(run()).to.equal("b.ts");
    const record = recordOf();
    record.entries[`${fixture}\0./b`][0] = path.join(fixture, "c.ts");
    writeRecord({ ...record, stamp: `${record.stamp}, before the install` });
    expect(run()).to.equal("b.ts");
    expect(recordOf().stamp).to.equal(record.stamp);
  });

  it("holds, after a production plan, exactly what Node resolves every remembered request to", function () {
    this.timeout(120_000);
    const plan = spawnSync(node, ["--require", "./plan/typescript-require.js", "plan/cli.ts", "--stack", "production", "--quiet", "--out", path.join(fixture, "out")], {
      cwd: root,
      encoding: "utf8",
      // Only the resolutions move to the test's cache folder: the tools and the renders stay where they are.
      env: { ...process.env, NODE_OPTIONS: "", XDG_CACHE_HOME: cache, PLATFORM_TOOLS: path.dirname(toolsDir()), PLATFORM_RENDER_CACHE: String(defaultRenderCacheDir()) },
    });
    expect(plan.status, plan.stderr).to.equal(0);
    const entries = Object.entries(recordOf().entries);
    expect(entries.length).to.be.greaterThan(1000);
    const check = `
      const Module = require("node:module");
      const path = require("node:path");
      const wrong = [];
      for (const [key, [filename]] of JSON.parse(require("node:fs").readFileSync(0, "utf8"))) {
        const [dir, request] = key.split("\\0");
        const resolved = Module.createRequire(path.join(dir, "parent.js")).resolve(request);
        if (resolved !== filename) wrong.push({ key, filename, resolved });
      }
      console.log(JSON.stringify(wrong));
    `;
    // The plan's loader registers .ts, which Node's resolution then tries too; the cache itself stays off.
    const node22 = spawnSync(node, ["--require", "./plan/typescript-require.js", "-e", check], {
      cwd: root,
      encoding: "utf8",
      input: JSON.stringify(entries),
      env: { ...process.env, NODE_OPTIONS: "", RESOLVE_CACHE: "off" },
    });
    expect(node22.status, node22.stderr).to.equal(0);
    expect(JSON.parse(node22.stdout)).to.deep.equal([]);
  });
});
