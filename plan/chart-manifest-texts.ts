import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { SECRET_PLACEHOLDER } from "./mocks";

/**
 * The written manifest (manifestYaml's text) of each object of a cached chart render, cached beside the
 * render: a plan whose renders are cached then reads the chart objects' YAML instead of writing it again.
 * Writing the prometheus-operator CRDs (thousands of long descriptions the `yaml` library must quote) was
 * about a fifth of such a plan. The texts are keyed by the render's cache file and by the writer's version:
 * the source of everything that decides an object's text from the render (toRecord in render-charts.ts and
 * the secret placeholder it writes, manifest-yaml.ts, toYaml's options in components/core/yaml.ts) and the
 * `yaml` library's version, so any change there writes the texts afresh. The one input from outside the render, whether the object got the
 * release's namespace (that depends on the CRDs of every chart), is stored with each text and compared.
 */

interface Origin {
  /** The texts file of the object's render. */
  readonly file: string;
  /** The object's position in the render. */
  readonly index: number;
  /** What decides the text besides the render and the writer: the namespace toRecord gave the object. */
  readonly variant: string;
}

type Entry = readonly [variant: string, text: string] | null;

const origins = new WeakMap<object, Origin>();
const files = new Map<string, { entries: Entry[]; dirty: boolean }>();
let writerVersion: string | undefined;

function version(): string {
  if (writerVersion === undefined) {
    const sources = [path.join(__dirname, "manifest-yaml.ts"), path.join(__dirname, "render-charts.ts"), path.join(__dirname, "..", "components", "core", "yaml.ts")];
    const hash = crypto.createHash("sha256");
    for (const source of sources) hash.update(fs.readFileSync(source));
    hash.update((JSON.parse(fs.readFileSync(require.resolve("yaml/package.json"), "utf8")) as { version: string }).version);
    // toRecord writes it into every chart Secret; it lives in mocks.ts, whose other changes do not matter here.
    hash.update(SECRET_PLACEHOLDER);
    writerVersion = hash.digest("hex").slice(0, 16);
  }
  return writerVersion;
}

/** Records that `resource` is object `index` of the render cached at `renderFile` (render-charts.ts). */
export function rememberRenderedObject(resource: object, renderFile: string, index: number, variant: string): void {
  origins.set(resource, { file: renderFile.replace(/\.json$/, `.manifests-${version()}.json`), index, variant });
}

/** The manifest text of `resource`: cached for a chart object of a cached render, else `write()`. */
export function manifestText(resource: object, write: () => string): string {
  const origin = origins.get(resource);
  if (!origin) return write();
  let texts = files.get(origin.file);
  if (!texts) {
    const entries = fs.existsSync(origin.file) ? (JSON.parse(fs.readFileSync(origin.file, "utf8")) as Entry[]) : [];
    texts = { entries, dirty: false };
    files.set(origin.file, texts);
  }
  const entry = texts.entries[origin.index];
  if (entry && entry[0] === origin.variant) return entry[1];
  const text = write();
  while (texts.entries.length < origin.index) texts.entries.push(null);
  texts.entries[origin.index] = [origin.variant, text];
  texts.dirty = true;
  return text;
}

/**
 * Stores the texts written since the last call (each file replaced at once, as the renders are) and lets go
 * of those read: a plan reads each file once, and a process that plans many stacks (the tests) keeps none.
 */
export function saveManifestTexts(): void {
  for (const [file, texts] of files) {
    if (!texts.dirty) continue;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(texts.entries));
    fs.renameSync(tmp, file);
  }
  files.clear();
}
