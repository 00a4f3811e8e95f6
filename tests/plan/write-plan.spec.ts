import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toYaml } from "../../components/core/yaml";
import type { RecordedResource } from "../../plan/mocks";
import { writePlan } from "../../plan/render";

// writePlan overwrites the previous plan's files in place and deletes only what the new plan lacks; the
// folder must end up holding exactly the new plan, as if it had been emptied first.

function configMap(namespace: string, name: string, data: Record<string, string>): RecordedResource {
  return {
    urn: `urn:pulumi:staging::platform::kubernetes:core/v1:ConfigMap::${name}`,
    type: "kubernetes:core/v1:ConfigMap",
    name,
    custom: true,
    inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data },
    secretPaths: [],
    dependencies: [],
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
  };
}

function filesUnder(dir: string, prefix = ""): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name), path.join(prefix, e.name)) : [path.join(prefix, e.name)])).sort();
}

describe("plan: writePlan replaces the previous plan's files", () => {
  let out: string;
  beforeEach(() => (out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-write-plan-"))));
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it("overwrites kept files, deletes files and folders the new plan lacks, and lists exactly what is there", () => {
    const before = [configMap("apps", "kept", { v: "old" }), configMap("gone", "dropped", { v: "1" })];
    writePlan({ project: "platform", stack: "staging", resources: before }, out);
    fs.writeFileSync(path.join(out, "manifests", "stray.yaml"), "left by hand\n");
    expect(filesUnder(out)).to.deep.equal(["manifests/apps/configmap-kept.yaml", "manifests/gone/configmap-dropped.yaml", "manifests/stray.yaml", "resources.json"]);

    const after = [configMap("apps", "kept", { v: "new" }), configMap("apps", "added", { v: "2" })];
    const written = writePlan({ project: "platform", stack: "staging", resources: after }, out);

    expect(written).to.deep.equal(["manifests/apps/configmap-added.yaml", "manifests/apps/configmap-kept.yaml", "resources.json"]);
    expect(filesUnder(out)).to.deep.equal(written);
    expect(fs.existsSync(path.join(out, "manifests", "gone"))).to.equal(false);
    expect(fs.readFileSync(path.join(out, "manifests/apps/configmap-kept.yaml"), "utf8")).to.equal(toYaml(after[0].inputs));
    expect(JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")).resources.map((r: RecordedResource) => r.name)).to.deep.equal(["kept", "added"]);
  });
});
