import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { canonical, toYaml } from "../../components/core/yaml";
import { manifestText } from "../../plan/chart-manifest-texts";
import type { RecordedResource } from "../../plan/mocks";
import { writePlan } from "../../plan/render";
import { WrittenFiles } from "../../plan/written-files";

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

  it("refuses a folder that holds files but no earlier plan, deleting and writing nothing", () => {
    fs.writeFileSync(path.join(out, "README.md"), "not a plan\n");
    fs.mkdirSync(path.join(out, "src"));
    fs.writeFileSync(path.join(out, "src", "index.ts"), "export {};\n");
    expect(() => writePlan({ project: "platform", stack: "staging", resources: [configMap("apps", "one", { v: "1" })] }, out)).to.throw(
      `${out} holds files but no earlier plan (resources.json); a plan deletes whatever it did not write, so give --out a new or empty folder`,
    );
    expect(filesUnder(out)).to.deep.equal(["README.md", "src/index.ts"]);
  });

  it("writes into an empty folder", () => {
    expect(writePlan({ project: "platform", stack: "staging", resources: [configMap("apps", "one", { v: "1" })] }, out)).to.deep.equal(["manifests/apps/configmap-one.yaml", "resources.json"]);
  });

  describe("knows the files it wrote last time (plan/written-files.ts)", () => {
    const plan = [configMap("apps", "one", { v: "1" }), configMap("apps", "two", { v: "2" })];
    const file = (relative: string) => path.join(out, relative);
    const mtime = (relative: string) => fs.statSync(file(relative)).mtimeMs;
    const OLD = new Date("2020-01-01T00:00:00Z");
    const age = (relative: string) => fs.utimesSync(file(relative), OLD, OLD);

    it("leaves an unchanged file alone, bytes and time, whether or not its record is there", () => {
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      age("manifests/apps/configmap-one.yaml");
      // The record holds the time it saw: aging the file by hand makes it compare the content, which is equal.
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      expect(mtime("manifests/apps/configmap-one.yaml")).to.equal(OLD.getTime());
      fs.rmSync(WrittenFiles.recordFile(out));
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      expect(mtime("manifests/apps/configmap-one.yaml")).to.equal(OLD.getTime());
      expect(fs.existsSync(WrittenFiles.recordFile(out))).to.equal(true);
    });

    it("writes a file again that was edited, emptied or deleted by hand since, and one whose text changed", () => {
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      const expected = toYaml(plan[0].inputs);
      expect(expected).to.contain('v: "1"');
      fs.writeFileSync(file("manifests/apps/configmap-one.yaml"), expected.replace("v: \"1\"", "v: \"9\""));
      const record = fs.readFileSync(file("resources.json"), "utf8");
      // resources.json is compared byte for byte: an edit of the same size is found too.
      fs.writeFileSync(file("resources.json"), record.replace('"one"', '"eno"'));
      fs.rmSync(file("manifests/apps/configmap-two.yaml"));
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      expect(fs.readFileSync(file("resources.json"), "utf8")).to.equal(record);
      fs.writeFileSync(file("resources.json"), "");
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      expect(fs.readFileSync(file("manifests/apps/configmap-one.yaml"), "utf8")).to.equal(expected);
      expect(fs.readFileSync(file("manifests/apps/configmap-two.yaml"), "utf8")).to.equal(toYaml(plan[1].inputs));
      expect(JSON.parse(fs.readFileSync(file("resources.json"), "utf8")).resources).to.have.length(2);
      const changed = [configMap("apps", "one", { v: "changed" }), plan[1]];
      writePlan({ project: "platform", stack: "staging", resources: changed }, out);
      expect(fs.readFileSync(file("manifests/apps/configmap-one.yaml"), "utf8")).to.equal(toYaml(changed[0].inputs));
    });

    it("knows an object's digest without writing its YAML: the same for the same data, another for any change", () => {
      const unwritten = () => {
        throw new Error("the YAML was written");
      };
      const digestOf = (resource: RecordedResource) => manifestText(resource, canonical(resource.inputs), unwritten).digest;
      const one = digestOf(plan[0]);
      expect(one).to.match(/^[0-9a-f]{40}$/);
      expect(digestOf(structuredClone(plan[0]))).to.equal(one);
      expect(digestOf(configMap("apps", "one", { v: "2" }))).to.not.equal(one);
      expect(digestOf(configMap("apps", "one", { v: "1", w: "" }))).to.not.equal(one);
      expect(digestOf(configMap("other", "one", { v: "1" }))).to.not.equal(one);
      // The text, when the folder needs it, is what the writer gives.
      expect(manifestText(plan[0], canonical(plan[0].inputs), () => "the text").text()).to.equal("the text");
    });

    it("writes a chart object again whose header alone changed (a chart version that renders the same object)", () => {
      const fromChart = (version: string): RecordedResource => ({ ...plan[0], renderedFrom: { release: "demo", namespace: "apps", chart: "demo", version } });
      writePlan({ project: "platform", stack: "staging", resources: [fromChart("1.0.0")] }, out);
      expect(fs.readFileSync(file("manifests/apps/configmap-one.yaml"), "utf8")).to.equal(`# Rendered from Helm release apps/demo (chart demo 1.0.0)\n${toYaml(plan[0].inputs)}`);
      writePlan({ project: "platform", stack: "staging", resources: [fromChart("1.0.1")] }, out);
      expect(fs.readFileSync(file("manifests/apps/configmap-one.yaml"), "utf8")).to.equal(`# Rendered from Helm release apps/demo (chart demo 1.0.1)\n${toYaml(plan[0].inputs)}`);
    });

    it("keeps its record outside the plan folder, and drops the records of plan folders that are gone", () => {
      writePlan({ project: "platform", stack: "staging", resources: plan }, out);
      const record = WrittenFiles.recordFile(out);
      expect(record.startsWith(out)).to.equal(false);
      expect(JSON.parse(fs.readFileSync(record, "utf8"))).to.deep.include({ dir: path.resolve(out) });
      fs.rmSync(out, { recursive: true });
      const other = fs.mkdtempSync(path.join(os.tmpdir(), "platform-write-plan-"));
      try {
        writePlan({ project: "platform", stack: "staging", resources: plan }, other);
        expect(fs.existsSync(record)).to.equal(false);
        expect(fs.existsSync(WrittenFiles.recordFile(other))).to.equal(true);
      } finally {
        fs.rmSync(other, { recursive: true, force: true });
      }
    });

    it("learns each record's folder from the record's first bytes: keeps those of folders still there (paths with quotes and backslashes too), drops the rest and files that are no record", () => {
      const odd = path.join(out, 'a "quoted" \\ folder');
      const gone = path.join(out, 'gone "too"');
      for (const dir of [odd, gone]) {
        fs.mkdirSync(dir);
        writePlan({ project: "platform", stack: "staging", resources: plan }, dir);
      }
      // The tail of a record is never parsed to find its folder: one cut short after its head is still that folder's.
      const oddRecord = WrittenFiles.recordFile(odd);
      fs.writeFileSync(oddRecord, fs.readFileSync(oddRecord, "utf8").slice(0, JSON.stringify({ dir: odd }).length + 12));
      const stranger = path.join(path.dirname(oddRecord), "0000000000stranger.json");
      fs.writeFileSync(stranger, '{"files":{},"dir":"/"}');
      fs.rmSync(gone, { recursive: true });
      writePlan({ project: "platform", stack: "staging", resources: plan }, path.join(out, "fresh"));
      expect(fs.existsSync(oddRecord), "the record of a folder still there").to.equal(true);
      expect(fs.existsSync(WrittenFiles.recordFile(gone)), "the record of a gone folder").to.equal(false);
      expect(fs.existsSync(stranger), "a file not written as a record").to.equal(false);
    });
  });
});
