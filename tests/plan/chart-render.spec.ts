import { expect } from "chai";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { CHARTS } from "../../components/monitoring/charts";
import { chartArchivePath, pinnedChartArchive, readChartArchive } from "../../plan/chart-archive";
import { unknownValueKeys } from "../../plan/chart-values";
import { textDigest } from "../../plan/chart-manifest-texts";
import type { RecordedResource } from "../../plan/mocks";
import { chartsStatus } from "../../plan/refresh-charts";
import { manifestPath, writePlan } from "../../plan/render";
import { parseRenderedManifests, renderChartObjects } from "../../plan/render-charts";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { toolPath } from "../../plan/tools";
import { toYaml } from "../../components/core/yaml";
import { planStack, STACKS } from "../harness";
import { runTempDir } from "../temp-dirs";

/** A release record as the mock engine records a helm.v4.Chart. */
function chartResource(name: string, chart: string, version: string, values: Record<string, unknown>): RecordedResource {
  return {
    urn: `urn:pulumi:test::platform::platform:index:Platform$kubernetes:helm.sh/v4:Chart::${name}-chart`,
    type: "kubernetes:helm.sh/v4:Chart",
    name: `${name}-chart`,
    custom: false,
    inputs: { name, namespace: "team-a", chart, version, values },
    secretPaths: [],
    dependencies: [],
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
  };
}

/** A checkout holding one small chart, packaged by the real helm into charts/. */
function fixtureCheckout(): string {
  const dir = runTempDir("platform-chart-fixture-");
  const src = path.join(dir, "src", "demo");
  fs.mkdirSync(path.join(src, "templates"), { recursive: true });
  fs.writeFileSync(path.join(src, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\n");
  fs.writeFileSync(path.join(src, "values.yaml"), "replicas: 1\npodLabels: {}\nauth:\n  token: ''\n");
  fs.writeFileSync(
    path.join(src, "templates", "objects.yaml"),
    [
      "apiVersion: v1",
      "kind: ConfigMap",
      "metadata:",
      "  name: {{ .Release.Name }}-settings",
      "  labels:",
      "    app.kubernetes.io/name: demo",
      "{{- with .Values.podLabels }}",
      "{{ toYaml . | indent 4 }}",
      "{{- end }}",
      "data:",
      "  replicas: {{ .Values.replicas | quote }}",
      "---",
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: {{ .Release.Name }}-token",
      "stringData:",
      "  token: {{ .Values.auth.token | quote }}",
      "---",
      "apiVersion: rbac.authorization.k8s.io/v1",
      "kind: ClusterRole",
      "metadata:",
      "  name: {{ .Release.Name }}-reader",
      "rules: []",
      "---",
      "apiVersion: batch/v1",
      "kind: Job",
      "metadata:",
      "  name: {{ .Release.Name }}-migrate",
      "  annotations:",
      "    helm.sh/hook: pre-upgrade",
      "spec:",
      "  template:",
      "    spec:",
      "      restartPolicy: Never",
      "      containers: [{name: migrate, image: 'busybox:1.37.0'}]",
    ].join("\n"),
  );
  fs.mkdirSync(path.join(dir, "charts"));
  execFileSync(toolPath("helm"), ["package", src, "--destination", path.join(dir, "charts")], { stdio: "pipe" });
  // Recorded as the refresh records the stored archives.
  fs.writeFileSync(path.join(dir, "charts", "SHA256SUMS"), execFileSync("sha256sum", ["demo-1.2.3.tgz"], { cwd: path.join(dir, "charts") }));
  return dir;
}

describe("chart rendering (plan/render-charts.ts)", () => {
  describe("the pinned archives in charts/", () => {
    it("hold exactly the charts components/monitoring/charts.ts pins, and nothing else, with the bytes charts/SHA256SUMS records", () => {
      expect(chartsStatus()).to.deep.equal({ missing: [], stale: [], changed: [] });
      // The same check sha256sum makes of the recorded digests.
      execFileSync("sha256sum", ["--check", "--quiet", "--strict", "SHA256SUMS"], { cwd: path.join(REPOSITORY_ROOT, "charts") });
    });

    it("an archive whose bytes changed after it was stored fails the render and the refresh check; an unlisted one too", () => {
      const root = runTempDir("platform-changed-chart-");
      fs.mkdirSync(path.join(root, "charts"));
      fs.copyFileSync(path.join(REPOSITORY_ROOT, "charts", "SHA256SUMS"), path.join(root, "charts", "SHA256SUMS"));
      const file = chartArchivePath(root, "reloader", "2.2.16");
      // The same chart, the same files, other bytes: the tar gzipped again at another level.
      const original = fs.readFileSync(chartArchivePath(REPOSITORY_ROOT, "reloader", "2.2.16"));
      fs.writeFileSync(file, zlib.gzipSync(zlib.gunzipSync(original), { level: 1 }));
      expect(readChartArchive(file).chart.version, "still a valid archive of the chart").to.equal("2.2.16");
      const recorded = /^([0-9a-f]{64}) {2}reloader-2\.2\.16\.tgz$/m.exec(fs.readFileSync(path.join(root, "charts", "SHA256SUMS"), "utf8"))![1];
      expect(() => pinnedChartArchive(root, "reloader", "2.2.16")).to.throw(
        `charts/reloader-2.2.16.tgz has sha256 ${readChartArchive(file).sha256}, but charts/SHA256SUMS records ${recorded}: the archive changed after it was stored; restore it (git checkout -- charts/) or, for a deliberate change, record it with \`npm run charts:refresh\``,
      );
      expect(chartsStatus(root).changed).to.deep.equal(["reloader-2.2.16.tgz"]);
      fs.writeFileSync(path.join(root, "charts", "SHA256SUMS"), "");
      expect(() => pinnedChartArchive(root, "reloader", "2.2.16")).to.throw("charts/reloader-2.2.16.tgz is not listed in charts/SHA256SUMS: run `npm run charts:refresh`, which records the archives it stores");
    });

    for (const pin of Object.values(CHARTS)) {
      it(`${pin.chart} ${pin.version}: the archive is that chart at that version, with every dependency it declares`, () => {
        const { chart } = pinnedChartArchive(REPOSITORY_ROOT, pin.chart, pin.version);
        expect([chart.name, chart.version]).to.deep.equal([pin.chart, pin.version]);
        expect(chart.templates.size, "templates").to.be.greaterThan(0);
        for (const dep of chart.dependencies) {
          const sub = chart.subcharts.get(dep.name);
          expect(sub, `${pin.chart}: subchart ${dep.name}`).to.not.equal(undefined);
          // "0.12.*" style ranges: the packaged subchart's version fits the declared one.
          expect(sub!.version, `${pin.chart}: ${dep.name}`).to.match(new RegExp(`^${dep.version.replace(/\./g, "\\.").replace(/\*/g, "\\d+")}$`));
        }
        expect(fs.statSync(chartArchivePath(REPOSITORY_ROOT, pin.chart, pin.version)).size, "archive size").to.be.lessThan(1_000_000);
      });
    }

    it("kube-prometheus-stack keeps the prometheus-operator CRDs (its crds subchart) and its subcharts at their pinned versions", () => {
      const { chart } = readChartArchive(chartArchivePath(REPOSITORY_ROOT, "kube-prometheus-stack", "88.5.3"));
      const versions = Object.fromEntries([...chart.subcharts.values()].map((s) => [s.name, s.version]));
      expect(versions).to.deep.equal({
        crds: "0.0.0",
        grafana: "12.11.1",
        "kube-state-metrics": "8.4.0",
        "prometheus-node-exporter": "4.56.1",
        "prometheus-windows-exporter": "0.12.8",
      });
      expect([...chart.subcharts.get("crds")!.crds.keys()].sort()).to.deep.equal(
        ["alertmanagerconfigs", "alertmanagers", "podmonitors", "probes", "prometheusagents", "prometheuses", "prometheusrules", "scrapeconfigs", "servicemonitors", "thanosrulers"].map(
          (k) => `crds/crd-${k}.yaml`,
        ),
      );
    });
  });

  describe("values the chart does not read fail the plan", () => {
    it("finds a key Helm would ignore, top-level and in a subchart, and accepts free-form maps and keys templates read", () => {
      const blackbox = pinnedChartArchive(REPOSITORY_ROOT, "prometheus-blackbox-exporter", "11.17.2").chart;
      expect(unknownValueKeys(blackbox, { replicas: 2, pspEnabled: false, podAnnotations: { anything: "x" } })).to.deep.equal(["pspEnabled"]);
      const kps = pinnedChartArchive(REPOSITORY_ROOT, "kube-prometheus-stack", "88.5.3").chart;
      expect(
        unknownValueKeys(kps, {
          grafana: { sidecar: { dashbords: { enabled: true } }, "grafana.ini": { "auth.anonymous": { enabled: false } } },
          prometheusOperator: { resources: { requests: { cpu: "1" } } },
          "kube-state-metrics": { collectorsExclude: ["secrets"], replica: 2 },
          global: { anything: true },
        }),
      ).to.deep.equal(["grafana.sidecar.dashbords", "kube-state-metrics.replica"]);
    });

    it("the plan's error names each release, chart and key, and no object is rendered", async () => {
      const dir = fixtureCheckout();
      const release = chartResource("demo", "demo", "1.2.3", { replicas: 2, replcas: 3, auth: { tokn: "x" } });
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal(
        "Helm values that the charts do not read (Helm would silently ignore them; remove or correct each):\n  - demo (demo 1.2.3): auth.tokn\n  - demo (demo 1.2.3): replcas",
      );
    });

    it("with the render cache: a clean check is reused, and a misspelt key after it still fails", async () => {
      const dir = fixtureCheckout();
      const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-values-cache-"));
      try {
        const clean = chartResource("demo", "demo", "1.2.3", { replicas: 2 });
        await renderChartObjects("test", [clean], { projectDir: dir, cacheDir });
        expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".values-ok"))).to.have.lengthOf(1);
        await renderChartObjects("test", [clean], { projectDir: dir, cacheDir });
        let error: Error | undefined;
        const misspelt = chartResource("demo", "demo", "1.2.3", { replicas: 2, replcas: 3 });
        await renderChartObjects("test", [misspelt], { projectDir: dir, cacheDir }).catch((e: Error) => (error = e));
        expect(error?.message).to.equal("Helm values that the charts do not read (Helm would silently ignore them; remove or correct each):\n  - demo (demo 1.2.3): replcas");
        expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".values-ok"))).to.have.lengthOf(1);
      } finally {
        fs.rmSync(cacheDir, { recursive: true, force: true });
      }
    });
  });

  describe("a render with invalid YAML fails the plan", () => {
    it("names the release, the document and the error (a label the chart also writes itself: a duplicate key)", async () => {
      const dir = fixtureCheckout();
      const release = chartResource("demo", "demo", "1.2.3", { podLabels: { "app.kubernetes.io/name": "other" } });
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal(
        "helm template of release team-a/demo (demo 1.2.3) rendered invalid YAML:\n  - document 2 (demo/templates/objects.yaml): Map keys must be unique at line 17, column 5:",
      );
    });

    it("in a --diff baseline (an older ref, rendered before this check existed), keeps the parser's reading with a note, and caches nothing", async () => {
      const dir = fixtureCheckout();
      const cacheDir = runTempDir("platform-render-cache-");
      const release = chartResource("demo", "demo", "1.2.3", { podLabels: { "app.kubernetes.io/name": "other" } });
      const baseline = await renderChartObjects("test", [release], { projectDir: dir, cacheDir, missingArchive: "skip" });
      expect(baseline.objects.length, "objects rendered").to.be.greaterThan(0);
      expect(baseline.notes).to.deep.equal([
        "helm template of release team-a/demo (demo 1.2.3) rendered invalid YAML:   - document 2 (demo/templates/objects.yaml): Map keys must be unique at line 17, column 5: (kept as the parser reads it, at this ref only)",
      ]);
      // The same render in a plan still fails: the baseline left no cached render behind.
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir }).catch((e: Error) => (error = e));
      expect(error?.message).to.match(/^helm template of release team-a\/demo \(demo 1\.2\.3\) rendered invalid YAML:/);
    });

    it("a clean render parses every document, and an unparsable one names each bad document", () => {
      const text = ["---", "# Source: c/templates/a.yaml", "kind: A", "---", "# Source: c/templates/b.yaml", "kind: B", "spec: [", "---", "kind: C", "x: 1", "x: 2"].join("\n");
      expect(() => parseRenderedManifests(text, "release ns/r (c 1.0.0)")).to.throw(
        "helm template of release ns/r (c 1.0.0) rendered invalid YAML:\n  - document 2 (c/templates/b.yaml): ",
      );
      expect(() => parseRenderedManifests(text, "r")).to.throw(/\n  - document 3 \(no # Source: comment\): Map keys must be unique/);
      expect(parseRenderedManifests(text.split("---").slice(0, 2).join("---"), "r")).to.deep.equal([{ kind: "A" }]);
    });
  });

  describe("objects of a chart (a fixture packaged by helm)", () => {
    let objects: RecordedResource[];
    before(async () => {
      const dir = fixtureCheckout();
      const release = chartResource("demo", "demo", "1.2.3", { replicas: 3, podLabels: { team: "a" }, auth: { token: "s3cr3t-token" } });
      objects = (await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false })).objects;
    });

    it("are children of the release, named like helm.v4.Chart names its children, typed by apiVersion and kind", () => {
      expect(objects.map((o) => `${o.type} ${o.name}`).sort()).to.deep.equal([
        "kubernetes:batch/v1:Job demo-chart:team-a/demo-migrate",
        "kubernetes:core/v1:ConfigMap demo-chart:team-a/demo-settings",
        "kubernetes:core/v1:Secret demo-chart:team-a/demo-token",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole demo-chart:demo-reader",
      ]);
      for (const o of objects) {
        expect(o.parent).to.equal("urn:pulumi:test::platform::platform:index:Platform$kubernetes:helm.sh/v4:Chart::demo-chart");
        expect(o.urn).to.equal(`urn:pulumi:test::platform::platform:index:Platform$kubernetes:helm.sh/v4:Chart$${o.type}::${o.name}`);
        expect(o.renderedFrom).to.include({ release: "demo", namespace: "team-a", chart: "demo", version: "1.2.3" });
      }
    });

    it("get the release namespace where the template sets none (cluster-scoped kinds stay without)", () => {
      const byKind = Object.fromEntries(objects.map((o) => [o.inputs.kind as string, o.inputs.metadata as Record<string, unknown>]));
      expect(byKind.ConfigMap.namespace).to.equal("team-a");
      expect(byKind.ClusterRole).to.not.have.property("namespace");
    });

    it("render with the exact values, mark hooks, and never keep a Secret's data in the clear", () => {
      const configMap = objects.find((o) => o.inputs.kind === "ConfigMap")!;
      expect(configMap.inputs.data).to.deep.equal({ replicas: "3" });
      expect(objects.find((o) => o.inputs.kind === "Job")!.renderedFrom!.hook).to.equal("pre-upgrade");
      const secret = objects.find((o) => o.inputs.kind === "Secret")!;
      expect(secret.inputs.stringData).to.deep.equal({ token: "[secret]" });
      expect(secret.secretPaths).to.deep.equal(["stringData"]);
      expect(JSON.stringify(objects)).to.not.contain("s3cr3t-token");
    });
  });

  describe("with the render cache (a fixture packaged by helm)", () => {
    const release = chartResource("demo", "demo", "1.2.3", { replicas: 3, auth: { token: "s3cr3t-token" } });
    let dir: string;
    let cacheDir: string;
    let out: string;
    beforeEach(() => {
      dir = fixtureCheckout();
      cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-cache-"));
      out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-out-"));
    });
    afterEach(() => {
      for (const folder of [dir, cacheDir, out]) fs.rmSync(folder, { recursive: true, force: true });
    });
    const plan = async () => {
      const { objects } = await renderChartObjects("test", [release], { projectDir: dir, cacheDir });
      writePlan({ project: "platform", stack: "test", resources: objects }, out);
      return objects;
    };
    const manifest = (object: RecordedResource) => fs.readFileSync(path.join(out, manifestPath(object)), "utf8").replace(/^#.*\n/, "");
    const cached = (suffix: string) => fs.readdirSync(cacheDir).filter((f) => f.endsWith(suffix));

    it("keeps each object's written manifest beside the render and writes it from there on the next plan", async () => {
      const first = await plan();
      for (const object of first) expect(manifest(object), object.name).to.equal(toYaml(object.inputs));
      const [texts] = cached(".json").filter((f) => f.includes(".manifests-"));
      const entries = JSON.parse(fs.readFileSync(path.join(cacheDir, texts), "utf8")) as [string, string][];
      expect(entries.map(([namespace]) => namespace).sort()).to.deep.equal(["", "team-a", "team-a", "team-a"]);
      expect(fs.readFileSync(path.join(cacheDir, texts), "utf8")).to.not.contain("s3cr3t-token");
      // The next plan takes the texts from the cache: a text changed there (with its digest, which decides
      // whether the folder's file is still current) shows in its manifest.
      const [digestsFile] = cached(".json").filter((f) => f.includes(".manifest-digests-"));
      const digests = JSON.parse(fs.readFileSync(path.join(cacheDir, digestsFile), "utf8")) as [string, string][];
      expect(digests).to.deep.equal(entries.map(([namespace, text]) => [namespace, textDigest(text)]));
      const configMap = entries.findIndex(([, text]) => text.includes("kind: ConfigMap"));
      entries[configMap] = [entries[configMap][0], "kind: ConfigMap # from the cache\n"];
      fs.writeFileSync(path.join(cacheDir, texts), JSON.stringify(entries));
      digests[configMap] = [digests[configMap][0], textDigest("kind: ConfigMap # from the cache\n")];
      fs.writeFileSync(path.join(cacheDir, digestsFile), JSON.stringify(digests));
      const second = await plan();
      expect(manifest(second.find((o) => o.inputs.kind === "ConfigMap")!)).to.equal("kind: ConfigMap # from the cache\n");
      for (const object of second.filter((o) => o.inputs.kind !== "ConfigMap")) expect(manifest(object), object.name).to.equal(toYaml(object.inputs));
    });

    it("writes a cached text afresh when the object got another namespace than the one stored with it", async () => {
      await plan();
      const [texts] = cached(".json").filter((f) => f.includes(".manifests-"));
      const entries = JSON.parse(fs.readFileSync(path.join(cacheDir, texts), "utf8")) as [string, string][];
      const configMap = entries.findIndex(([, text]) => text.includes("kind: ConfigMap"));
      entries[configMap] = ["team-b", "kind: ConfigMap # of another namespace\n"];
      fs.writeFileSync(path.join(cacheDir, texts), JSON.stringify(entries));
      const [digestsFile] = cached(".json").filter((f) => f.includes(".manifest-digests-"));
      const digests = JSON.parse(fs.readFileSync(path.join(cacheDir, digestsFile), "utf8")) as [string, string][];
      digests[configMap] = ["team-b", textDigest("kind: ConfigMap # of another namespace\n")];
      fs.writeFileSync(path.join(cacheDir, digestsFile), JSON.stringify(digests));
      const objects = await plan();
      for (const object of objects) expect(manifest(object), object.name).to.equal(toYaml(object.inputs));
      expect((JSON.parse(fs.readFileSync(path.join(cacheDir, texts), "utf8")) as [string, string][])[configMap][0]).to.equal("team-a");
    });

    it("reads no texts for a folder that already holds them, and writes missing texts afresh for one that does not", async () => {
      const first = await plan();
      const [texts] = cached(".json").filter((f) => f.includes(".manifests-"));
      fs.rmSync(path.join(cacheDir, texts));
      // Every file of the folder is current: the digests say so, and no text is needed.
      await plan();
      expect(cached(".json").filter((f) => f.includes(".manifests-"))).to.deep.equal([]);
      for (const object of first) expect(manifest(object), object.name).to.equal(toYaml(object.inputs));
      // Into a new folder every text is written, from the render again since the texts are gone.
      fs.rmSync(out, { recursive: true });
      const objects = await plan();
      for (const object of objects) expect(manifest(object), object.name).to.equal(toYaml(object.inputs));
      expect(cached(".json").filter((f) => f.includes(".manifests-"))).to.deep.equal([texts]);
    });

    it("deletes the texts and digests another writer version left for the same render when it writes its own", async () => {
      await plan();
      const [texts] = cached(".json").filter((f) => f.includes(".manifests-"));
      const [digestsFile] = cached(".json").filter((f) => f.includes(".manifest-digests-"));
      const render = texts.slice(0, texts.indexOf(".manifests-"));
      const stale = [`${render}.manifests-0123456789abcdef.json`, `${render}.manifest-digests-0123456789abcdef.json`];
      for (const file of stale) fs.writeFileSync(path.join(cacheDir, file), "[]");
      // Nothing new to store: the other version's files stay.
      await plan();
      expect(cached(".json").filter((f) => f.startsWith(`${render}.manifest`)).sort()).to.deep.equal([digestsFile, texts, ...stale].sort());
      fs.rmSync(path.join(cacheDir, texts));
      fs.rmSync(path.join(cacheDir, digestsFile));
      fs.rmSync(out, { recursive: true });
      await plan();
      expect(cached(".json").filter((f) => f.startsWith(`${render}.manifest`)).sort()).to.deep.equal([digestsFile, texts].sort());
    });

    it("marks every cache entry a plan reads as used (the month-old ones are pruned: plan/render-cache-pruning.ts)", async () => {
      await plan();
      const old = new Date("2026-01-01T00:00:00Z");
      const entries = fs.readdirSync(cacheDir).filter((f) => !f.includes(".manifest") && !f.startsWith("."));
      expect(entries.map((f) => f.slice(f.indexOf(".")))).to.have.members([".json", ".chart.json", ".values-ok"]);
      for (const name of entries) fs.utimesSync(path.join(cacheDir, name), old, old);
      await plan();
      for (const name of entries) expect(fs.statSync(path.join(cacheDir, name)).mtimeMs, name).to.be.greaterThan(old.getTime());
    });

    it("checks the chart's name and version against the archive summary cached by the archive's hash", async () => {
      await plan();
      const [summary] = cached(".chart.json");
      expect(JSON.parse(fs.readFileSync(path.join(cacheDir, summary), "utf8"))).to.deep.equal({ name: "demo", version: "1.2.3", hasCrds: false });
      fs.writeFileSync(path.join(cacheDir, summary), JSON.stringify({ name: "other", version: "1.2.3", hasCrds: false }));
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal("charts/demo-1.2.3.tgz holds chart other 1.2.3, not demo 1.2.3: run `npm run charts:refresh`");
    });
  });

  describe("a checkout without charts/SHA256SUMS (before the digests were recorded)", () => {
    const release = chartResource("demo", "demo", "1.2.3", { replicas: 2 });
    it("fails the plan, and in a --diff baseline renders its archives unchecked with a note", async () => {
      const dir = fixtureCheckout();
      fs.rmSync(path.join(dir, "charts", "SHA256SUMS"));
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal("charts/demo-1.2.3.tgz is not listed in charts/SHA256SUMS: run `npm run charts:refresh`, which records the archives it stores");
      const baseline = await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false, missingArchive: "skip" });
      expect(baseline.objects.length, "objects rendered").to.be.greaterThan(0);
      expect(baseline.notes).to.deep.equal(["charts/SHA256SUMS is missing at this ref (it predates recorded digests): its chart archives are rendered unchecked"]);
    });
  });

  describe("a missing archive", () => {
    const release = chartResource("demo", "demo", "9.9.9", {});
    it("fails the plan with the command that stores it", async () => {
      const dir = fixtureCheckout();
      let error: Error | undefined;
      await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal("chart demo 9.9.9 has no archive charts/demo-9.9.9.tgz: run `npm run charts:refresh` (it pulls every pinned chart that is missing)");
    });

    it("in a --diff baseline, leaves that release's objects out with a note instead", async () => {
      const dir = fixtureCheckout();
      const result = await renderChartObjects("test", [release], { projectDir: dir, cacheDir: false, missingArchive: "skip" });
      expect(result.objects).to.deep.equal([]);
      expect(result.notes).to.deep.equal(["release team-a/demo: no archive of demo 9.9.9 at this ref, so its objects are not rendered there"]);
    });
  });

  for (const stack of STACKS) {
    it(`${stack}: every Helm release and chart of the stack is rendered, with its hooks and CRDs`, async () => {
      const plan = await planStack(stack);
      const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" || r.type === "kubernetes:helm.sh/v4:Chart");
      expect(releases).to.have.lengthOf(13);
      for (const release of releases) {
        const children = plan.resources.filter((r) => r.parent === release.urn);
        // The smallest, a redis exporter: its Deployment, Service and ServiceMonitor (the ServiceAccount is the program's).
        expect(children.length, release.name).to.be.at.least(3);
        for (const child of children) expect(child.renderedFrom?.release, child.name).to.equal(release.inputs.name);
      }
      const hooks = plan.resources.filter((r) => r.renderedFrom?.hook).map((r) => `${r.inputs.kind} ${(r.inputs.metadata as { name: string }).name}`);
      expect(hooks).to.include.members(["Job kube-prometheus-stack-admission-create", "Job kube-prometheus-stack-admission-patch", "Job kube-prometheus-stack-crds-upgrade"]);
      const crds = plan.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").map((r) => (r.inputs.metadata as { name: string }).name);
      // 11 of kube-prometheus-stack and Alloy, 48 of the way in (Gateway API and Envoy Gateway, cert-manager, ESO).
      expect(crds).to.have.lengthOf(59);
      expect(crds).to.include.members(["prometheuses.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com", "podlogs.monitoring.grafana.com"]);
      // Monitors render only when the chart sees the CRDs' API (--api-versions): kube-state-metrics' is one.
      expect(plan.object("ServiceMonitor", "monitoring", "kube-prometheus-stack-kube-state-metrics").spec.endpoints).to.have.length.greaterThan(0);
    });
  }
});
