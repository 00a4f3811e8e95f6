import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPOSITORY_ROOT } from "../../plan/run-program";

/** README's "Use the components in your own program" shows the examples the tests run, verbatim. */
describe("README's library examples", () => {
  const readme = fs.readFileSync(path.join(REPOSITORY_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Use the components in your own program"), readme.indexOf("## Policy as code"));

  for (const [file, fence] of [
    ["examples/team-app/index.ts", "ts"],
    ["examples/yaml-app/Pulumi.yaml", "yaml"],
    ["examples/python-app/__main__.py", "python"],
    ["examples/go-app/main.go", "go"],
  ] as const) {
    it(`shows ${file} as it is`, () => {
      const blocks = [...section.matchAll(new RegExp("```" + fence + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
      expect(blocks, `${fence} blocks in the section`).to.have.lengthOf(1);
      expect(blocks[0]).to.equal(fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8"));
    });
  }

  it("quotes the error message the library's test asserts", () => {
    const spec = fs.readFileSync(path.join(REPOSITORY_ROOT, "tests", "library", "library-entry.spec.ts"), "utf8");
    const quoted = /```\n(Invalid arguments of BlueGreenApp[\s\S]*?)\n```/.exec(section)![1];
    const lines = quoted.split("\n");
    expect(lines).to.have.lengthOf(4);
    // Each line appears in the test that asserts the exact message, in a '…' or a "…" string literal.
    for (const line of lines) expect(spec.includes(line) || spec.includes(JSON.stringify(line).slice(1, -1)), line).to.equal(true);
  });
});
