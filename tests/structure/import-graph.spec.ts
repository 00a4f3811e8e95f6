import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { cycles, folderOf, groupGraph, type ImportEdge, importEdges, sourceFiles } from "./fixtures/import-graph";

/**
 * The layering DEVELOPERS.md states: stack file → stacks/ → pure builders → components → index.ts, with the
 * tooling (plan/, policy/) on the side. A cycle between folders means neither can be read, tested or moved
 * without the other; a component that imports the tooling drags the mock runtime into `pulumi up`.
 */
describe("import graph", () => {
  const files = sourceFiles(REPOSITORY_ROOT);
  const edges = importEdges(REPOSITORY_ROOT, files);

  it("reads the whole repository, and every kind of import in it", () => {
    // Guards the guard: an empty or partial graph would make the checks below pass vacuously.
    for (const folder of ["components/alerting", "components/monitoring", "components/apps", "plan", "policy", "stacks", "tests/alerting"]) {
      expect(files.some((file) => folderOf(file) === folder), `no file read under ${folder}`).to.equal(true);
    }
    expect(edges.length, "imports found").to.be.greaterThan(1000);
    // A type-only import, a re-export and an import of a folder's index.ts are all edges.
    expect(edges, "import type").to.deep.include({ from: "components/monitoring/monitoring-input.ts", to: "stacks/schema.ts" });
    expect(edges, "export * from").to.deep.include({ from: "components/core/index.ts", to: "components/core/yaml.ts" });
    expect(edges, "import of a folder's index.ts").to.deep.include({ from: "components/platform/platform.ts", to: "components/secrets/index.ts" });
  });

  it("has no cycle between folders (each area of components/ and tests/ is a folder)", () => {
    expect(cycles(groupGraph(edges, folderOf)), "folder cycles").to.deep.equal([]);
  });

  it("has no cycle between files", () => {
    expect(cycles(groupGraph(edges, (file) => file)), "file cycles").to.deep.equal([]);
  });

  it("components/, stacks/ and index.ts never import the tooling (plan/, policy/), the tests, the bench or the docs generators", () => {
    const program = (file: string) => file === "index.ts" || file.startsWith("components/") || file.startsWith("stacks/");
    const tooling = (file: string) => /^(plan|policy|tests|bench|docs)\//.test(file);
    const offending = edges.filter((e) => program(e.from) && tooling(e.to)).map((e) => `${e.from} imports ${e.to}`);
    expect(offending).to.deep.equal([]);
  });

  it("policy/ depends on nothing outside itself but the secret detector it shares with the stack validation, which imports nothing: the pack the Pulumi CLI loads carries no tooling and no program", () => {
    const shared = ["stacks/secret-detection.ts"];
    const offending = edges.filter((e) => e.from.startsWith("policy/") && !e.to.startsWith("policy/") && !shared.includes(e.to)).map((e) => `${e.from} imports ${e.to}`);
    expect(offending).to.deep.equal([]);
    // Nor any package: the pack's own node_modules (policy/package.json) holds only the policy SDK.
    for (const file of shared) expect(fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8"), `${file} imports nothing`).to.not.match(/^\s*(import|export .* from)\b|\brequire\(/m);
    expect(edges, "the pack uses the shared detector").to.deep.include({ from: "policy/rules/no-plaintext-secrets.ts", to: "stacks/secret-detection.ts" });
  });

  describe("the cycle finder itself", () => {
    const edge = (from: string, to: string): ImportEdge => ({ from, to });

    it("names a folder cycle with the imports that close it", () => {
      const found = cycles(
        groupGraph(
          [
            edge("components/alerting/rules/manifests.ts", "components/monitoring/input.ts"),
            edge("components/monitoring/values.ts", "components/alerting/secret.ts"),
            edge("components/monitoring/values.ts", "components/core/labels.ts"),
          ],
          folderOf,
        ),
      );
      expect(found).to.deep.equal([
        [
          "components/alerting -> components/monitoring -> components/alerting",
          "    components/alerting/rules/manifests.ts imports components/monitoring/input.ts",
          "    components/monitoring/values.ts imports components/alerting/secret.ts",
        ].join("\n"),
      ]);
    });

    it("finds a cycle of three and ignores a one-way chain", () => {
      const found = cycles(groupGraph([edge("plan/a.ts", "policy/b.ts"), edge("policy/b.ts", "stacks/c.ts"), edge("stacks/c.ts", "plan/d.ts"), edge("stacks/c.ts", "(x)")], folderOf));
      expect(found).to.have.length(1);
      expect(found[0].split("\n")[0]).to.equal("plan -> policy -> stacks -> plan");
      expect(cycles(groupGraph([edge("plan/a.ts", "policy/b.ts"), edge("policy/b.ts", "stacks/c.ts")], folderOf))).to.deep.equal([]);
    });
  });
});
