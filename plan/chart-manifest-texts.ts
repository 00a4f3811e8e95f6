import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { maskedMap, SECRET_PLACEHOLDER } from "./mocks";

/**
 * The written manifest (manifestYaml's text) of each object of a cached chart render, cached beside the
 * render: a plan whose renders are cached then reads the chart objects' YAML instead of writing it again.
 * Writing the prometheus-operator CRDs (thousands of long descriptions the `yaml` library must quote) was
 * about a fifth of such a plan. Beside the texts (`<render>.manifests-<writer>.json`) a small file holds each
 * text's digest (`<render>.manifest-digests-<writer>.json`): when the plan folder already holds a text
 * (plan/written-files.ts), the digest is all the plan needs, and the texts, megabytes of JSON, stay unread.
 * Both are keyed by the render's cache file and by the writer's version: the source of everything that
 * decides an object's text from the render (toRecord in render-charts.ts and the secret placeholder it writes,
 * manifest-yaml.ts, toYaml's options in components/core/yaml.ts) and the `yaml` library's version, so any
 * change there writes the texts afresh, and the files of every other writer version of that render are then
 * deleted. The one input from outside the render, whether the object got the release's namespace (that
 * depends on the CRDs of every chart), is stored with each text and compared. The objects the program itself
 * registers need no stored digest: theirs is computed from their data (manifestText).
 */

interface Origin {
  /** The render's cache file without `.json`. */
  readonly render: string;
  /** The object's position in the render. */
  readonly index: number;
  /** What decides the text besides the render and the writer: the namespace toRecord gave the object. */
  readonly variant: string;
}

type Entry = readonly [variant: string, value: string] | null;

/** One of the two files of a render: entries by object index, read on first use. */
class EntryFile {
  private entries: Entry[] | undefined;
  private dirty = false;

  constructor(readonly file: string) {}

  get(index: number, variant: string): string | undefined {
    const entry = this.load()[index];
    return entry && entry[0] === variant ? entry[1] : undefined;
  }

  set(index: number, variant: string, value: string): void {
    const entries = this.load();
    while (entries.length < index) entries.push(null);
    entries[index] = [variant, value];
    this.dirty = true;
  }

  /** Stores the entries if any changed (the file replaced at once, as the renders are); true if it wrote. */
  save(): boolean {
    if (!this.dirty || !this.entries) return false;
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.entries));
    fs.renameSync(tmp, this.file);
    this.dirty = false;
    return true;
  }

  private load(): Entry[] {
    this.entries ??= fs.existsSync(this.file) ? (JSON.parse(fs.readFileSync(this.file, "utf8")) as Entry[]) : [];
    return this.entries;
  }
}

const origins = new WeakMap<object, Origin>();
const renders = new Map<string, { texts: EntryFile; digests: EntryFile }>();
let knownWriterVersion: string | undefined;

/** The version of the code that turns an object into its manifest text: part of every digest of a text written from data. */
export function writerVersion(): string {
  if (knownWriterVersion === undefined) {
    const sources = [path.join(__dirname, "manifest-yaml.ts"), path.join(__dirname, "render-charts.ts"), path.join(__dirname, "..", "components", "core", "yaml.ts")];
    const hash = crypto.createHash("sha256");
    for (const source of sources) hash.update(fs.readFileSync(source));
    hash.update((JSON.parse(fs.readFileSync(require.resolve("yaml/package.json"), "utf8")) as { version: string }).version);
    // toRecord writes them into every chart Secret; they live in mocks.ts, whose other changes do not matter here.
    hash.update(SECRET_PLACEHOLDER);
    hash.update(JSON.stringify(maskedMap({ key: "" })));
    knownWriterVersion = hash.digest("hex").slice(0, 16);
  }
  return knownWriterVersion;
}

/** The digest writePlan compares texts by (plan/written-files.ts). */
export function textDigest(text: string): string {
  return crypto.hash("sha1", text);
}

/** Records that `resource` is object `index` of the render cached at `renderFile` (render-charts.ts). */
export function rememberRenderedObject(resource: object, renderFile: string, index: number, variant: string): void {
  origins.set(resource, { render: renderFile.replace(/\.json$/, ""), index, variant });
}

function filesOf(render: string): { texts: EntryFile; digests: EntryFile } {
  let files = renders.get(render);
  if (!files) {
    files = { texts: new EntryFile(`${render}.manifests-${writerVersion()}.json`), digests: new EntryFile(`${render}.manifest-digests-${writerVersion()}.json`) };
    renders.set(render, files);
  }
  return files;
}

/** A manifest's text, and its digest, known without the text for a program object or a cached chart object. */
export interface ManifestText {
  readonly digest: string;
  text(): string;
}

/**
 * The manifest text of `resource` (`ordered` is its inputs in canonical key order): cached for a chart object
 * of a cached render, else `write()`. A program object's text is written only if the plan folder needs it: its
 * digest is that of its data as resources.json holds it (JSON) and of the writer's version, of which the text
 * is a function, so an unchanged object's YAML is not written again only to be found unchanged. What JSON does
 * not tell apart (NaN, Infinity and -0 from null and 0) no Kubernetes object can hold: the API speaks JSON.
 */
export function manifestText(resource: object, ordered: unknown, write: () => string): ManifestText {
  const origin = origins.get(resource);
  if (!origin) return { digest: textDigest(`${writerVersion()}\0${JSON.stringify(ordered)}`), text: write };
  const { texts, digests } = filesOf(origin.render);
  const text = (): string => {
    const cached = texts.get(origin.index, origin.variant);
    if (cached !== undefined) return cached;
    const written = write();
    texts.set(origin.index, origin.variant, written);
    return written;
  };
  const digest = digests.get(origin.index, origin.variant);
  if (digest !== undefined) return { digest, text };
  const written = text();
  const computed = textDigest(written);
  digests.set(origin.index, origin.variant, computed);
  return { digest: computed, text: () => written };
}

/**
 * Stores the texts and digests written since the last call, deletes the files other writer versions left
 * for the same renders, and lets go of those read: a plan reads each file once, and a process that plans
 * many stacks (the tests) keeps none.
 */
export function saveManifestTexts(): void {
  for (const [render, { texts, digests }] of renders) {
    const wroteTexts = texts.save();
    const wroteDigests = digests.save();
    if (wroteTexts || wroteDigests) removeOtherWriterVersions(render);
  }
  renders.clear();
}

function removeOtherWriterVersions(render: string): void {
  const dir = path.dirname(render);
  const base = path.basename(render);
  const current = new Set([`${base}.manifests-${writerVersion()}.json`, `${base}.manifest-digests-${writerVersion()}.json`]);
  for (const name of fs.readdirSync(dir)) {
    if ((name.startsWith(`${base}.manifests-`) || name.startsWith(`${base}.manifest-digests-`)) && name.endsWith(".json") && !current.has(name)) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
}
