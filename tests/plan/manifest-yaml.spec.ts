import { expect } from "chai";
import { toYaml } from "../../components/core/yaml";
import { manifestYaml } from "../../plan/manifest-yaml";
import { isKubernetesObject } from "../../plan/render";
import { planStack, STACKS } from "../harness";

// The plan writes manifests/ with manifestYaml, a faster writer of the same text as toYaml: any difference
// would change every reviewed manifest. Compared over every object both stacks plan (the program's own and
// the charts' rendered ones, CRDs with their long block-literal descriptions included) and over scalars
// whose quoting YAML 1.1 decides.

describe("plan: manifest YAML written fast is toYaml's text", function () {
  for (const stack of STACKS) {
    it(`${stack}: every Kubernetes object's manifest is byte for byte toYaml's`, async () => {
      const objects = (await planStack(stack)).resources.filter(isKubernetesObject).map((r) => r.inputs);
      expect(objects.length).to.be.greaterThan(300);
      const different = objects.filter((o) => manifestYaml(o) !== toYaml(o)).map((o) => `${String(o.kind)} ${JSON.stringify(o.metadata)}`);
      expect(different).to.deep.equal([]);
    });
  }

  it("writes the library's text for YAML 1.1 words, numbers, empty collections, nesting and block literals", () => {
    const tricky = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "tricky", labels: { "app.kubernetes.io/name": "x", y: "n", on: "off" } },
      data: {
        yes: "no", "0": "1.0", "12:30": "2001-12-14", "~": "~", empty: "", dash: "-", hash: "a #b", colon: "a: b",
        quote: `it's "x"`, tab: "a\tb", unicode: "é ü ✓", control: "a\u0001b", spaces: " padded ", marker: "--- x",
        literal: "line 1\n  line 2\n\nline 4\n", leading: "  indented\nfirst", noNewline: "a\nb", trailingSpace: "a \nb",
      },
      numbers: [0, -1, 0.5, 1e21, 123456789012, 1.5e-7],
      flags: [true, false, null],
      words: ["Yes", "NULL", "On", "OFF", "Y", "e1", "Infinity", "inf", "NaN", "x.y/z-1", "True", "nil", "None"],
      nested: [[1, [2, []]], [{}], { a: [{ b: { c: [] } }] }],
    };
    expect(manifestYaml(tricky)).to.equal(toYaml(tricky));
  });

  it("falls back to toYaml for what it does not write itself (odd keys, undefined, -0, blank-line endings)", () => {
    for (const odd of [{ "key with: colon": 1 }, { a: undefined, b: 1 }, { a: -0 }, { a: "x\n\n" }, { "<<": { a: 1 } }, { a: Number.NaN }]) {
      expect(manifestYaml(odd)).to.equal(toYaml(odd));
    }
  });
});
