import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * The component package's analysis (its schema, and the component definitions `construct` reads the outputs
 * from), cached by everything Pulumi's analyzer reads. The analyzer builds a TypeScript program over
 * lib/component-package.ts and every declaration it reaches, the Pulumi SDKs' included: about ten
 * CPU-seconds, and the engine starts the plugin afresh for every preview, update, refresh and destroy of a
 * program that uses the package. The key covers the TypeScript sources of the package (lib/, components/,
 * stacks/, provider/), its manifests and tsconfig, and the installed version of TypeScript, the Pulumi SDK
 * and every package the package depends on: any change there analyses again. The cache lives in the OS cache
 * folder (`~/.cache/platform/component-analyses`); a missing or unreadable entry only costs the analysis.
 * Every source change adds an entry of about 90 KB, so each write keeps only the KEPT_ANALYSES entries read or
 * written most recently (a read marks its entry by the modification time): a few branches' worth.
 */
export interface Analysis {
  /** The schema as the plugin serves it. */
  readonly schema: string;
  /** The analyzer's component definitions (inputs and outputs of each component). */
  readonly components: Record<string, unknown>;
}

/** Raised when what is stored, or how the key is made, changes. */
const FORMAT = 1;
/** Entries kept by a write: switching between a few branches still finds each one's analysis. */
export const KEPT_ANALYSES = 8;
/** A partial write older than this belongs to a plugin that was killed while writing. */
const ABANDONED_WRITE_MS = 24 * 60 * 60 * 1000;
const SOURCE_FOLDERS = ["lib", "components", "stacks", "provider"];
const MANIFESTS = ["package.json", "provider/package.json", "provider/tsconfig.json"];

/**
 * XDG's cache folder or ~/.cache on every OS: the plan's tooling (plan/cache-dir.js) also knows macOS' and
 * Windows' folders, but the published package holds none of plan/, so the plugin cannot use it.
 */
export function analysisCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "platform", "component-analyses");
}

function typeScriptSources(root: string, folder: string): string[] {
  const dir = path.join(root, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const relative = path.join(folder, entry.name);
      if (entry.isDirectory()) return entry.name === "node_modules" ? [] : typeScriptSources(root, relative);
      return entry.name.endsWith(".ts") ? [relative] : [];
    })
    .sort();
}

/** The installed version of a package as the package at `root` resolves it, or "absent". */
function installedVersion(root: string, name: string): string {
  try {
    const manifest = require.resolve(`${name}/package.json`, { paths: [root] });
    return (JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return "absent";
  }
}

/** What the analysis of the package at `root` depends on, as one digest. */
export function analysisKey(root: string): string {
  const hash = crypto.createHash("sha256").update(`format ${FORMAT}\0`);
  for (const file of [...MANIFESTS, ...SOURCE_FOLDERS.flatMap((folder) => typeScriptSources(root, folder))]) {
    const full = path.join(root, file);
    hash.update(`${file}\0`).update(fs.existsSync(full) ? fs.readFileSync(full) : "absent").update("\0");
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, Record<string, string> | undefined>;
  const packages = new Set(["typescript", "@pulumi/pulumi", ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})]);
  for (const name of [...packages].sort()) hash.update(`${name}@${installedVersion(root, name)}\0`);
  return hash.digest("hex");
}

export function readAnalysis(root: string, dir = analysisCacheDir()): Analysis | undefined {
  const file = path.join(dir, `${analysisKey(root)}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(file, "utf8")) as Analysis;
    if (typeof cached.schema !== "string" || cached.components === null || typeof cached.components !== "object") return undefined;
    markUsed(file);
    return cached;
  } catch {
    return undefined;
  }
}

function markUsed(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A read-only cache only loses its order of use.
  }
}

/** Deletes all but the KEPT_ANALYSES most recently used entries, and abandoned partial writes. */
function prune(dir: string, now = Date.now()): void {
  const entries: { file: string; used: number }[] = [];
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    // Another plugin may be pruning or writing at the same time: an entry gone meanwhile is simply gone.
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) continue;
    if (name.endsWith(".tmp") && now - stat.mtimeMs > ABANDONED_WRITE_MS) fs.rmSync(file, { force: true });
    else if (name.endsWith(".json")) entries.push({ file, used: stat.mtimeMs });
  }
  entries.sort((a, b) => b.used - a.used);
  for (const entry of entries.slice(KEPT_ANALYSES)) fs.rmSync(entry.file, { force: true });
}

export function writeAnalysis(root: string, analysis: Analysis, dir = analysisCacheDir()): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${analysisKey(root)}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(analysis));
    fs.renameSync(tmp, file);
    prune(dir);
  } catch {
    // A read-only cache folder only costs the next start the analysis.
  }
}
