import * as fs from "node:fs";
import * as path from "node:path";
import { canonical, toYaml } from "../components/core/yaml";
import { ALERTMANAGER_CONFIG_FILE, alertmanagerConfigFile, isPrometheusRule, prometheusRuleFile, prometheusRuleFilePath } from "./alerting-files";
import { manifestText, saveManifestTexts, textDigest } from "./chart-manifest-texts";
import { manifestYaml } from "./manifest-yaml";
import { helmTemplateCommand } from "./render-charts";
import type { RecordedResource } from "./mocks";
import type { PlanRecord } from "./run-program";
import { WrittenFiles } from "./written-files";

/** Types whose inputs are Helm releases or charts rather than Kubernetes objects. */
const HELM_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"]);

export function isKubernetesObject(resource: RecordedResource): boolean {
  return resource.custom && resource.type.startsWith("kubernetes:") && !HELM_TYPES.has(resource.type) && typeof resource.inputs.kind === "string";
}

/** Relative path of an object's manifest: manifests/<namespace or _cluster>/<kind>-<name>.yaml. */
export function manifestPath(resource: RecordedResource): string {
  const metadata = (resource.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  const namespace = metadata.namespace ?? "_cluster";
  const name = metadata.name ?? resource.name;
  return path.join("manifests", namespace, `${String(resource.inputs.kind).toLowerCase()}-${name}.yaml`);
}

/**
 * Writes the plan of one stack to `outDir` (replacing what was there): resources.json, the machine-readable
 * record every later check reads, one YAML file per Kubernetes object, per Helm release or chart its
 * chart, version, repository and full values under helm/ (and the values alone, headed by the `helm template` command
 * that renders the release as the plan does, in helm/<release>.values.yaml), and the alerting as promtool and amtool read it:
 * each PrometheusRule's rule file under prometheus-rules/, Alertmanager's configuration without credentials
 * in alertmanager/ (plan/alerting-files.ts). Files of the previous plan are rewritten only
 * where their text changed (plan/written-files.ts knows most unchanged ones without reading them), and only
 * those this plan no longer has are deleted: deleting thousands of files first and creating them again cost
 * a large plan more CPU than everything else it writes.
 */
export function writePlan(record: PlanRecord, outDir: string): string[] {
  // A plan empties its folder of whatever it did not write: `--out .` would have deleted a repository.
  if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0 && !fs.existsSync(path.join(outDir, "resources.json"))) {
    throw new Error(`${outDir} holds files but no earlier plan (resources.json); a plan deletes whatever it did not write, so give --out a new or empty folder`);
  }
  // A routing annotation that would put a credential into alertmanager.yaml stops the plan before it writes anything.
  const alertmanager = alertmanagerConfigFile(record.resources);
  fs.mkdirSync(outDir, { recursive: true });
  const files = WrittenFiles.of(outDir);
  const written: string[] = [];
  const folders = new Set<string>();
  const write = (relative: string, digest: string | undefined, text: () => string) => {
    const folder = path.dirname(path.join(outDir, relative));
    if (!folders.has(folder)) {
      fs.mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    files.write(relative, digest, text);
    written.push(relative);
  };
  const writeText = (relative: string, text: string) => write(relative, textDigest(text), () => text);
  // One copy of the record in canonical key order serves resources.json (toJson's text) and every
  // manifest: ordering the objects' keys twice was a good part of what writing them cost.
  const ordered = canonical(record) as { resources: { inputs: unknown }[] };
  write("resources.json", undefined, () => `${JSON.stringify(ordered, null, 2)}\n`);
  const seen = new Map<string, string>();
  for (const [i, resource] of record.resources.entries()) {
    if (!isKubernetesObject(resource)) continue;
    const relative = manifestPath(resource);
    const clash = seen.get(relative);
    if (clash) throw new Error(`${resource.urn} and ${clash} render the same Kubernetes object ${relative}`);
    seen.set(relative, resource.urn);
    const from = resource.renderedFrom;
    // Chart objects say where they come from; YAML comments leave the object itself unchanged.
    const header = from
      ? `# Rendered from Helm release ${from.namespace}/${from.release} (chart ${from.chart} ${from.version})${from.hook ? `, hook ${from.hook}` : ""}\n`
      : "";
    const manifest = manifestText(resource, ordered.resources[i].inputs, () => manifestYaml(resource.inputs, ordered.resources[i].inputs));
    write(relative, header ? textDigest(`${header}\0${manifest.digest}`) : manifest.digest, () => header + manifest.text());
    if (isPrometheusRule(resource)) {
      const ruleFile = prometheusRuleFilePath(resource);
      const ruleClash = seen.get(ruleFile);
      if (ruleClash) throw new Error(`${resource.urn} and ${ruleClash} would write the same rule file ${ruleFile}`);
      seen.set(ruleFile, resource.urn);
      const rules = prometheusRuleFile(resource, ordered.resources[i].inputs);
      write(ruleFile, rules.digest, rules.text);
    }
  }
  if (alertmanager !== undefined) writeText(ALERTMANAGER_CONFIG_FILE, alertmanager);
  const crds = record.resources.filter((r) => r.renderedFrom && r.inputs.kind === "CustomResourceDefinition").map((r) => r.inputs);
  for (const release of record.resources.filter((r) => HELM_TYPES.has(r.type))) {
    const name = String(release.inputs.name ?? release.name);
    const { chart, version, repositoryOpts, namespace, values } = release.inputs as Record<string, unknown>;
    writeText(path.join("helm", `${name}.yaml`), toYaml({ resource: release.name, type: release.type, chart, version, repositoryOpts, namespace, values }));
    // The values alone, which `helm template --values` takes: given the file above, Helm would find none of
    // its keys under `values:` and render the chart's defaults without a word.
    const valuesFile = path.join("helm", `${name}.values.yaml`);
    // The file's own path would differ with every --out, and a plan's files are byte-identical wherever it writes them.
    const command = helmTemplateCommand(release, crds, "<this file>");
    const header = `# Values of Helm release ${String(namespace)}/${name} (chart ${String(chart)} ${String(version)}). The plan renders it, from the repository's root, as:\n${command.replace(/^/gm, "#   ")}\n`;
    writeText(valuesFile, header + toYaml(values ?? {}));
  }
  saveManifestTexts();
  files.save();
  removeAllBut(outDir, "", new Set(written));
  return written.sort();
}

/** Deletes whatever under `dir` is not in `keep` (paths relative to `root`), and folders left empty. */
function removeAllBut(root: string, dir: string, keep: ReadonlySet<string>): void {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removeAllBut(root, relative, keep);
      if (fs.readdirSync(path.join(root, relative)).length === 0) fs.rmdirSync(path.join(root, relative));
    } else if (!keep.has(relative)) {
      fs.rmSync(path.join(root, relative), { force: true });
    }
  }
}

/** The resource tree the way `pulumi preview` lists it: type and name, children under their parent. */
export function formatTree(record: PlanRecord): string {
  const children = new Map<string | undefined, RecordedResource[]>();
  const urns = new Set(record.resources.map((r) => r.urn));
  for (const resource of record.resources) {
    const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), resource]);
  }
  const rows: [string, string][] = [["pulumi:pulumi:Stack", `${record.project}-${record.stack}`]];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((resource, i) => {
      const last = i === list.length - 1;
      rows.push([`${prefix}${last ? "└─ " : "├─ "}${resource.type}`, resource.name]);
      walk(resource.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  const width = Math.max(...rows.map(([t]) => t.length)) + 2;
  const lines = [`${"Type".padEnd(width)}Name`, ...rows.map(([t, n]) => `${t.padEnd(width)}${n}`)];
  return `${lines.join("\n")}\n`;
}
