import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { analysisKey, KEPT_ANALYSES, readAnalysis, writeAnalysis } from "../../provider/analysis-cache";

// The component package's analysis is cached by everything the SDK's analyzer reads: the package's
// TypeScript sources, its manifests and tsconfig, and the installed versions of TypeScript, the SDK and the
// package's dependencies. A change anywhere there must analyse again; a change elsewhere need not.
// That the plugin serves the cached analysis: tests/library/component-package.spec.ts.

describe("library: the component package's analysis cache (provider/analysis-cache.ts)", () => {
  let root: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-analysis-key-"));
    write("package.json", JSON.stringify({ name: "platform", version: "1.0.0", dependencies: { yaml: "2.9.1" } }));
    write("provider/package.json", JSON.stringify({ exports: "../lib/component-package.ts" }));
    write("provider/tsconfig.json", "{}");
    write("lib/component-package.ts", "export {};\n");
    write("components/core/names.ts", "export const a = 1;\n");
    write("stacks/schema.ts", "export const b = 2;\n");
    write("tests/names.spec.ts", "it('x', () => {});\n");
    write("README.md", "# platform\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("changes with any TypeScript source of lib/, components/, stacks/ or provider/, and with the manifests", () => {
    const keys = new Set([analysisKey(root)]);
    const changes: [string, string][] = [
      ["lib/component-package.ts", "export const c = 3;\n"],
      ["components/core/names.ts", "export const a = 2;\n"],
      ["components/apps/new-app.ts", "export {};\n"],
      ["stacks/schema.ts", "export const b = 3;\n"],
      ["provider/extra.ts", "export {};\n"],
      ["provider/tsconfig.json", '{ "compilerOptions": { "strict": true } }'],
      ["provider/package.json", JSON.stringify({ exports: "../lib/index.ts" })],
      ["package.json", JSON.stringify({ name: "platform", version: "1.0.1", dependencies: { yaml: "2.9.1" } })],
    ];
    for (const [file, text] of changes) {
      write(file, text);
      keys.add(analysisKey(root));
      expect(keys.size, file).to.equal(changes.findIndex(([f]) => f === file) + 2);
    }
  });

  it("changes with an installed dependency's version, and not with tests or documentation", () => {
    const before = analysisKey(root);
    write("tests/names.spec.ts", "it('y', () => {});\n");
    write("README.md", "# platform, edited\n");
    expect(analysisKey(root)).to.equal(before);
    write("node_modules/yaml/package.json", JSON.stringify({ name: "yaml", version: "2.9.2" }));
    const installed = analysisKey(root);
    expect(installed).to.not.equal(before);
    write("node_modules/yaml/package.json", JSON.stringify({ name: "yaml", version: "2.9.3" }));
    expect(analysisKey(root)).to.not.equal(installed);
  });

  it("gives back what was stored under the current key only", () => {
    const cache = path.join(root, "cache");
    const analysis = { schema: '{"name":"platform"}', components: { PlatformNamespace: { outputs: { name: { type: "string" } } } } };
    expect(readAnalysis(root, cache)).to.equal(undefined);
    writeAnalysis(root, analysis, cache);
    expect(readAnalysis(root, cache)).to.deep.equal(analysis);
    write("lib/component-package.ts", "export const changed = true;\n");
    expect(readAnalysis(root, cache)).to.equal(undefined);
  });

  it(`keeps the ${KEPT_ANALYSES} entries used most recently, a read counting as a use, and drops partial writes older than a day`, () => {
    const cache = path.join(root, "cache");
    const analysis = (n: number) => ({ schema: `{"name":"platform","version":"${n}"}`, components: {} });
    const ageBy = (file: string, seconds: number) => {
      const at = new Date(Date.now() - seconds * 1000);
      fs.utimesSync(path.join(cache, file), at, at);
    };
    // One entry per source change, each written a minute after the one before.
    const keys: string[] = [];
    for (let n = 0; n <= KEPT_ANALYSES; n++) {
      write("lib/component-package.ts", `export const version = ${n};\n`);
      writeAnalysis(root, analysis(n), cache);
      keys.push(analysisKey(root));
      for (const [i, key] of keys.entries()) if (fs.existsSync(path.join(cache, `${key}.json`))) ageBy(`${key}.json`, (keys.length - i) * 60);
    }
    // The newest write pruned the oldest entry (version 0); version 1 is now the least recently used, until it is read.
    const stored = () => fs.readdirSync(cache).filter((name) => name.endsWith(".json")).sort();
    expect(stored()).to.deep.equal(keys.slice(1).map((key) => `${key}.json`).sort());
    write("lib/component-package.ts", "export const version = 1;\n");
    expect(readAnalysis(root, cache)).to.deep.equal(analysis(1));
    fs.writeFileSync(path.join(cache, "abandoned.json.1.tmp"), "{");
    ageBy("abandoned.json.1.tmp", 25 * 60 * 60);
    fs.writeFileSync(path.join(cache, "in-progress.json.2.tmp"), "{");
    write("lib/component-package.ts", "export const version = 'next';\n");
    writeAnalysis(root, analysis(99), cache);
    expect(stored()).to.have.length(KEPT_ANALYSES);
    expect(stored(), "the entry read just before stays").to.include(`${keys[1]}.json`);
    expect(stored(), "the least recently used goes").to.not.include(`${keys[2]}.json`);
    expect(fs.readdirSync(cache).filter((name) => name.endsWith(".tmp"))).to.deep.equal(["in-progress.json.2.tmp"]);
  });
});
