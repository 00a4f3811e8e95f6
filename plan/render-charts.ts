import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { osCacheDir } from "./cache-dir";
import { rememberRenderedObject } from "./chart-manifest-texts";
import { markUsed, pruneUnusedRenders } from "./render-cache-pruning";
import { CHART_DIGESTS_FILE, type ChartArchive, chartArchivePath, checkChartDigest, type LoadedChart, pinnedChartArchive, REFRESH_COMMAND } from "./chart-archive";
import { unknownValueKeys } from "./chart-values";
import { maskedMap, type RecordedResource, SECRET_PLACEHOLDER } from "./mocks";
import { toolPath } from "./tools";

/**
 * Every chart a stack installs (helm.v3.Release and helm.v4.Chart) rendered offline by the real `helm
 * template`, from the archive stored in charts/ and with exactly the values the plan recorded. Each object
 * becomes a record of its own, a child of its release, so the tree, the resource count, resources.json,
 * manifests/, `--diff` and the policy pack see chart objects like the program's own.
 */

/** Kubernetes version the plan renders for: a current EKS release (`.Capabilities.KubeVersion`). */
export const KUBE_VERSION = "1.34.0";

export const HELM_TYPES: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

/** Where a rendered object comes from; set on chart objects only. */
export interface RenderedFrom {
  /** URN-free name of the release: its Helm release name. */
  readonly release: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  /** The object's `helm.sh/hook` annotation: Helm runs it around an install or upgrade. */
  readonly hook?: string;
}

export interface RenderOptions {
  /** Checkout holding charts/ (the plan's or a --diff baseline's). */
  readonly projectDir: string;
  /**
   * A --diff baseline may predate an archive (or this renderer): its releases are then recorded without
   * their objects, and a note says so, instead of failing the diff.
   */
  readonly missingArchive?: "fail" | "skip";
  /** Folder of cached renders (by content hash); false renders every time. */
  readonly cacheDir?: string | false;
}

export interface RenderResult {
  readonly objects: RecordedResource[];
  readonly notes: string[];
}

type KubeObject = Record<string, any>;

/** Built-in kinds without a namespace; a CRD says its own scope. */
const CLUSTER_SCOPED = new Set([
  "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus", "CSIDriver", "CSINode",
  "CustomResourceDefinition", "FlowSchema", "IngressClass", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding",
  "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass", "PriorityLevelConfiguration",
  "RuntimeClass", "StorageClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ValidatingWebhookConfiguration",
  "VolumeAttachment",
]);

interface Release {
  readonly resource: RecordedResource;
  readonly name: string;
  readonly namespace: string;
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
  readonly includeCrds: boolean;
  /** Prefix of the children's resource names: helm.v4.Chart's `resourcePrefix`, by default its resource name. */
  readonly prefix: string;
}

function releaseOf(resource: RecordedResource): Release {
  const inputs = resource.inputs as Record<string, any>;
  return {
    resource,
    name: String(inputs.name ?? resource.name),
    namespace: String(inputs.namespace ?? "default"),
    chart: String(inputs.chart),
    version: String(inputs.version),
    values: (inputs.values ?? {}) as Record<string, unknown>,
    includeCrds: !(inputs.skipCrds === true),
    prefix: typeof inputs.resourcePrefix === "string" ? inputs.resourcePrefix : resource.name,
  };
}

export function defaultRenderCacheDir(env: NodeJS.ProcessEnv = process.env): string | false {
  if (env.PLATFORM_RENDER_CACHE === "off") return false;
  return env.PLATFORM_RENDER_CACHE || path.join(osCacheDir(env), "platform", "helm-renders");
}

function hasCrds(chart: LoadedChart): boolean {
  return chart.crds.size > 0 || [...chart.subcharts.values()].some(hasCrds);
}

/** A pinned archive as rendering uses it: its chart is unpacked only when a cache miss needs it. */
interface PinnedChart {
  readonly file: string;
  readonly sha256: string;
  readonly hasCrds: boolean;
  readonly chart: LoadedChart;
}

/**
 * pinnedChartArchive's checks and what rendering needs of the archive, with the chart's name, version and
 * whether it ships CRDs cached by the archive's hash: unpacking the archives (gunzip, tar, every template
 * decoded) was about a tenth of a plan whose renders were all cached.
 */
function pinnedChart(projectDir: string, chart: string, version: string, cacheDir: string | false, checkDigest: boolean): PinnedChart {
  const file = chartArchivePath(projectDir, chart, version);
  const sha256 = cacheDir && fs.existsSync(file) ? crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") : undefined;
  const summaryFile = sha256 ? path.join(cacheDir as string, `${sha256}.chart.json`) : undefined;
  if (summaryFile && fs.existsSync(summaryFile)) {
    if (checkDigest) checkChartDigest(projectDir, file, sha256 as string);
    markUsed(summaryFile);
    const summary = JSON.parse(fs.readFileSync(summaryFile, "utf8")) as { name: string; version: string; hasCrds: boolean };
    if (summary.name !== chart || summary.version !== version) {
      throw new Error(`${path.relative(projectDir, file)} holds chart ${summary.name} ${summary.version}, not ${chart} ${version}: run \`${REFRESH_COMMAND}\``);
    }
    let loaded: LoadedChart | undefined;
    return {
      file,
      sha256: sha256 as string,
      hasCrds: summary.hasCrds,
      get chart() {
        return (loaded ??= pinnedChartArchive(projectDir, chart, version, checkDigest).chart);
      },
    };
  }
  const archive: ChartArchive = pinnedChartArchive(projectDir, chart, version, checkDigest);
  const pinned = { file: archive.file, sha256: archive.sha256, hasCrds: hasCrds(archive.chart), chart: archive.chart };
  if (summaryFile) {
    fs.mkdirSync(cacheDir as string, { recursive: true });
    const tmp = `${summaryFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ name: archive.chart.name, version: archive.chart.version, hasCrds: pinned.hasCrds }));
    fs.renameSync(tmp, summaryFile);
  }
  return pinned;
}

function run(command: string, args: string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(Buffer.concat(out).toString("utf8")) : reject(new Error(Buffer.concat(err).toString("utf8").trim()))));
    child.stdin.end(input);
  });
}

interface Rendered {
  readonly objects: KubeObject[];
  /** The render's cache file, when renders are cached. */
  readonly cacheFile?: string;
}

/**
 * The objects of `helm template`'s output. A document with YAML errors fails the plan, naming the release, the
 * document (helm's `# Source:` template and its position) and each error: parsed anyway, a duplicate key keeps
 * only one of its values, so the plan would show an object the API server refuses or reads otherwise. With
 * `tolerate` (a --diff baseline, whose old charts or values may render what this check did not exist to
 * refuse) the message goes there instead and the parser's reading is kept.
 */
export function parseRenderedManifests(text: string, release: string, tolerate?: (message: string) => void): KubeObject[] {
  // Kubernetes reads manifests as YAML 1.1 (sigs.k8s.io/yaml), so `on`/`yes` mean what they mean there.
  const docs = parseAllDocuments(text, { version: "1.1" });
  const problems = docs.flatMap((doc, i) => {
    if (doc.errors.length === 0) return [];
    const source = /# Source: (\S+)/.exec(text.slice(doc.range[0], doc.range[2]))?.[1] ?? "no # Source: comment";
    return [`  - document ${i + 1} (${source}): ${doc.errors.map((e) => e.message.split("\n")[0]).join("; ")}`];
  });
  if (problems.length > 0) {
    const message = `helm template of ${release} rendered invalid YAML:\n${problems.join("\n")}`;
    if (!tolerate) throw new Error(message);
    tolerate(message);
  }
  return docs.map((doc) => doc.toJS() as unknown).filter((o): o is KubeObject => o !== null && typeof o === "object" && Object.keys(o as object).length > 0);
}

/** The arguments of `helm template` for one release, as the plan renders it (values from `valuesFile`, `-` for stdin). */
function helmTemplateArgs(release: Pick<Release, "name" | "namespace" | "includeCrds">, archiveFile: string, apiVersions: readonly string[], valuesFile: string): string[] {
  return [
    "template", release.name, archiveFile, "--namespace", release.namespace, "--kube-version", KUBE_VERSION,
    // An install never creates `helm test` pods; hooks and CRDs are part of what it applies.
    "--skip-tests", ...(release.includeCrds ? ["--include-crds"] : []),
    ...apiVersions.flatMap((v) => ["--api-versions", v]), "--values", valuesFile,
  ];
}

/**
 * The command that renders a release as the plan does, for a person at the repository's root with the
 * release's values in `valuesFile`, one argument pair a line: what an acceptance tester runs by hand.
 * `crds` are the stack's CustomResourceDefinitions (the plan passes their API versions).
 */
export function helmTemplateCommand(release: RecordedResource, crds: readonly KubeObject[], valuesFile: string): string {
  const r = releaseOf(release);
  const args = helmTemplateArgs(r, path.join("charts", `${r.chart}-${r.version}.tgz`), crdApiVersions(crds), valuesFile);
  const lines = [["helm", ...args.slice(0, 3)].join(" ")];
  for (let i = 3; i < args.length; i++) lines.push(args[i].startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--") ? `${args[i]} ${args[++i]}` : args[i]);
  return lines.join(" \\\n  ");
}

/** `helm template` of one release; the parsed objects, cached by everything that decides them. */
async function helmTemplate(
  helm: string,
  release: Release,
  archive: PinnedChart,
  apiVersions: readonly string[],
  cacheDir: string | false,
  tolerate?: (message: string) => void,
): Promise<Rendered> {
  const args = helmTemplateArgs(release, archive.file, apiVersions, "-");
  const values = JSON.stringify(release.values);
  const stat = fs.statSync(helm);
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify({ helm: [helm, stat.size, stat.mtimeMs], archive: archive.sha256, args: args.slice(3), values, format: 2 }))
    .digest("hex");
  const cached = cacheDir ? path.join(cacheDir, `${key}.json`) : undefined;
  if (cached && fs.existsSync(cached)) {
    markUsed(cached);
    return { objects: JSON.parse(fs.readFileSync(cached, "utf8")) as KubeObject[], cacheFile: cached };
  }
  let text: string;
  try {
    text = await run(helm, args, values);
  } catch (err) {
    throw new Error(`helm template of release ${release.namespace}/${release.name} (${release.chart} ${release.version}) failed: ${(err as Error).message}`);
  }
  let tolerated = false;
  const objects = parseRenderedManifests(
    text,
    `release ${release.namespace}/${release.name} (${release.chart} ${release.version})`,
    tolerate &&
      ((message) => {
        tolerated = true;
        tolerate(message);
      }),
  );
  // A tolerated render is not cached: the same render in a plan must fail.
  if (cached && !tolerated) {
    fs.mkdirSync(cacheDir as string, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(objects));
    fs.renameSync(tmp, cached);
  }
  return { objects, cacheFile: cached };
}

/**
 * unknownValueKeys of a release, cached like the renders by everything that decides it (the archive's bytes
 * and the values): a rerun with unchanged charts and values neither parses the charts' values.yaml nor
 * scans their templates. Only a clean result is cached; a problem is found afresh every time.
 */
function checkedValueKeys(archive: PinnedChart, values: Record<string, unknown>, cacheDir: string | false): string[] {
  const key = crypto.createHash("sha256").update(JSON.stringify({ archive: archive.sha256, values, check: "unknown-value-keys", format: 1 })).digest("hex");
  const cached = cacheDir ? path.join(cacheDir, `${key}.values-ok`) : undefined;
  if (cached && fs.existsSync(cached)) {
    markUsed(cached);
    return [];
  }
  const unknown = unknownValueKeys(archive.chart, values);
  if (cached && unknown.length === 0) {
    fs.mkdirSync(cacheDir as string, { recursive: true });
    fs.writeFileSync(cached, "");
  }
  return unknown;
}

/** `kubernetes:apps/v1:Deployment`, the provider's type token of an object (core group spelt `core`). */
export function typeToken(apiVersion: string, kind: string): string {
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/** Served API versions of CRDs, as `--api-versions` takes them (group/version and group/version/Kind). */
function crdApiVersions(objects: readonly KubeObject[]): string[] {
  const versions = new Set<string>();
  for (const crd of objects.filter((o) => o.kind === "CustomResourceDefinition")) {
    for (const v of crd.spec?.versions ?? []) {
      if (v.served === false) continue;
      versions.add(`${crd.spec.group}/${v.name}`);
      versions.add(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`);
    }
  }
  return [...versions].sort();
}

function expandLists(objects: readonly KubeObject[]): KubeObject[] {
  return objects.flatMap((o) => (typeof o.kind === "string" && o.kind.endsWith("List") && Array.isArray(o.items) ? expandLists(o.items) : [o]));
}

function releaseProvider(resource: RecordedResource): string | undefined {
  return resource.custom ? resource.provider : resource.providers?.kubernetes;
}

/** The record of one rendered object: named and typed the way helm.v4.Chart registers its children. */
function toRecord(release: Release, object: KubeObject, clusterScoped: ReadonlySet<string>, stack: string): RecordedResource & { renderedFrom: RenderedFrom } {
  const where = `release ${release.namespace}/${release.name} (${release.chart} ${release.version})`;
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string" || !object.metadata?.name) {
    throw new Error(`${where} renders an object without apiVersion, kind or metadata.name: ${JSON.stringify(object).slice(0, 200)}`);
  }
  const inputs: KubeObject = { ...object, metadata: { ...object.metadata } };
  // Helm installs namespaced objects without a namespace into the release's, as helm.v4.Chart does.
  if (!clusterScoped.has(object.kind) && !inputs.metadata.namespace) inputs.metadata.namespace = release.namespace;
  const secretPaths: string[] = [];
  if (typeToken(object.apiVersion, object.kind) === "kubernetes:core/v1:Secret") {
    // The provider marks a chart Secret's data secret; the plan never prints it, but keeps its keys (maskedMap).
    for (const field of ["data", "stringData"]) {
      if (field in inputs) {
        const value: unknown = inputs[field];
        inputs[field] = value !== null && typeof value === "object" && !Array.isArray(value) ? maskedMap(value) : SECRET_PLACEHOLDER;
        secretPaths.push(field);
      }
    }
  }
  const type = typeToken(object.apiVersion, object.kind);
  const namespace = inputs.metadata.namespace as string | undefined;
  const name = `${release.prefix}:${namespace ? `${namespace}/` : ""}${inputs.metadata.name}`;
  const parentUrn = release.resource.urn;
  const typeChain = parentUrn.split("::")[2];
  const hook = object.metadata?.annotations?.["helm.sh/hook"] as string | undefined;
  return {
    urn: `urn:pulumi:${stack}::${parentUrn.split("::")[1]}::${typeChain}$${type}::${name}`,
    type,
    name,
    parent: parentUrn,
    custom: true,
    inputs,
    secretPaths,
    dependencies: [],
    // The release's Kubernetes provider applies its objects (a v4 Chart hands it to its children).
    ...(releaseProvider(release.resource) ? { provider: releaseProvider(release.resource) } : {}),
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
    renderedFrom: { release: release.name, namespace: release.namespace, chart: release.chart, version: release.version, ...(hook ? { hook } : {}) },
  };
}

/** Renders every Helm release and chart among `resources` (a stack's registrations) into object records. */
export async function renderChartObjects(stack: string, resources: readonly RecordedResource[], options: RenderOptions): Promise<RenderResult> {
  const notes: string[] = [];
  const cacheDir = options.cacheDir ?? defaultRenderCacheDir();
  if (cacheDir) pruneUnusedRenders(cacheDir);
  const releases: { release: Release; archive: PinnedChart }[] = [];
  // A --diff baseline from before the digests were recorded renders its archives unchecked, and says so.
  const checkDigest = !(options.missingArchive === "skip" && !fs.existsSync(path.join(options.projectDir, CHART_DIGESTS_FILE)));
  if (!checkDigest) notes.push(`${CHART_DIGESTS_FILE} is missing at this ref (it predates recorded digests): its chart archives are rendered unchecked`);
  const tolerate = options.missingArchive === "skip" ? (message: string) => notes.push(`${message.replace(/\n/g, " ")} (kept as the parser reads it, at this ref only)`) : undefined;
  for (const resource of resources.filter((r) => HELM_TYPES.has(r.type))) {
    const release = releaseOf(resource);
    if (options.missingArchive === "skip" && !fs.existsSync(chartArchivePath(options.projectDir, release.chart, release.version))) {
      notes.push(`release ${release.namespace}/${release.name}: no archive of ${release.chart} ${release.version} at this ref, so its objects are not rendered there`);
      continue;
    }
    releases.push({ release, archive: pinnedChart(options.projectDir, release.chart, release.version, cacheDir, checkDigest) });
  }
  if (releases.length === 0) return { objects: [], notes };

  const unknown = releases.flatMap(({ release, archive }) =>
    checkedValueKeys(archive, release.values, cacheDir).map((key) => `  - ${release.name} (${release.chart} ${release.version}): ${key}`),
  );
  if (unknown.length > 0) {
    throw new Error(`Helm values that the charts do not read (Helm would silently ignore them; remove or correct each):\n${unknown.join("\n")}`);
  }

  const helm = toolPath("helm");
  // Templates ask `.Capabilities.APIVersions` whether the platform's CRDs exist (to render monitors):
  // the CRDs come from the charts that ship them, so those are rendered first.
  const withCrds = releases.filter(({ release, archive }) => release.includeCrds && archive.hasCrds);
  const crdObjects = (await Promise.all(withCrds.map(({ release, archive }) => helmTemplate(helm, release, archive, [], cacheDir, tolerate)))).flatMap((r) => r.objects);
  const apiVersions = crdApiVersions(crdObjects);
  const rendered = await Promise.all(releases.map(({ release, archive }) => helmTemplate(helm, release, archive, apiVersions, cacheDir, tolerate)));

  const allObjects = rendered.flatMap(({ objects }) => expandLists(objects));
  const clusterScoped = new Set(CLUSTER_SCOPED);
  for (const crd of allObjects.filter((o) => o.kind === "CustomResourceDefinition")) {
    if (crd.spec?.scope === "Cluster") clusterScoped.add(crd.spec.names.kind);
  }
  const objects = releases.flatMap(({ release }, i) =>
    expandLists(rendered[i].objects).map((o, index) => {
      const record = toRecord(release, o, clusterScoped, stack);
      const { cacheFile } = rendered[i];
      if (cacheFile) rememberRenderedObject(record, cacheFile, index, String((record.inputs.metadata as { namespace?: string }).namespace ?? ""));
      return record;
    }),
  );
  return { objects, notes };
}
