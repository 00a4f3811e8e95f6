import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { parse } from "yaml";

/**
 * The pinned chart archives stored in this repository (charts/<chart>-<version>.tgz), read without Helm:
 * the plan checks values against a chart's own defaults and templates, and tests read files (CRDs) from them.
 */

/** Where the archive of a pinned chart lives in a checkout. */
export function chartArchivePath(projectDir: string, chart: string, version: string): string {
  return path.join(projectDir, "charts", `${chart}-${version}.tgz`);
}

/** The command that stores a missing or bumped archive (README: bumping a chart). */
export const REFRESH_COMMAND = "npm run charts:refresh";

/** The digests of the stored archives, in `sha256sum` form; the refresh writes it, every render checks it. */
export const CHART_DIGESTS_FILE = path.join("charts", "SHA256SUMS");

/** sha256 of each archive named in charts/SHA256SUMS, by file name; empty when the file is missing. */
export function recordedChartDigests(projectDir: string): Map<string, string> {
  const file = path.join(projectDir, CHART_DIGESTS_FILE);
  const digests = new Map<string, string>();
  if (!fs.existsSync(file)) return digests;
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    const match = /^([0-9a-f]{64}) [ *](\S+)$/.exec(line);
    if (match) digests.set(match[2], match[1]);
  }
  return digests;
}

/**
 * Refuses an archive whose bytes are not the ones stored with the pin: charts/ is the chart source every plan
 * and deployment renders, so a changed archive (an accidental rewrite, a tampered file) must not render quietly.
 */
export function checkChartDigest(projectDir: string, file: string, sha256: string): void {
  const name = path.basename(file);
  const recorded = recordedChartDigests(projectDir).get(name);
  if (recorded === undefined) {
    throw new Error(`${path.relative(projectDir, file)} is not listed in ${CHART_DIGESTS_FILE}: run \`${REFRESH_COMMAND}\`, which records the archives it stores`);
  }
  if (recorded !== sha256) {
    throw new Error(
      `${path.relative(projectDir, file)} has sha256 ${sha256}, but ${CHART_DIGESTS_FILE} records ${recorded}: the archive changed after it was stored; restore it (git checkout -- charts/) or, for a deliberate change, record it with \`${REFRESH_COMMAND}\``,
    );
  }
}

/** Files of a gzipped tar, by path. Handles ustar prefixes, PAX `path` records and GNU long names. */
export function untar(gzipped: Buffer): Map<string, Buffer> {
  const data = zlib.gunzipSync(gzipped);
  const files = new Map<string, Buffer>();
  const text = (start: number, length: number) => data.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "");
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(text(offset + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(header[156] || 48);
    const prefix = text(offset + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${text(offset, 100)}` : text(offset, 100));
    const body = data.subarray(offset + 512, offset + 512 + size);
    longName = undefined;
    if (type === "x") {
      const pathRecord = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      if (pathRecord) longName = pathRecord[1];
    } else if (type === "L") {
      longName = body.toString("utf8").replace(/\0.*$/s, "");
    } else if (type === "0" || type === "\0") {
      files.set(name.replace(/^\.\//, ""), Buffer.from(body));
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

export interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly alias?: string;
  readonly condition?: string;
}

/** One chart of an archive (the chart itself or a subchart), as Helm loads it. */
export interface LoadedChart {
  readonly name: string;
  readonly version: string;
  readonly dependencies: readonly ChartDependency[];
  /** values.yaml, parsed. */
  readonly values: Record<string, unknown>;
  /** Files under templates/, by path relative to the chart. */
  readonly templates: ReadonlyMap<string, string>;
  /** Files under crds/, by path relative to the chart. */
  readonly crds: ReadonlyMap<string, string>;
  /** Subcharts under charts/ (unpacked folders or nested archives), by chart name. */
  readonly subcharts: ReadonlyMap<string, LoadedChart>;
  /** Every file of the chart, by path relative to the chart (subcharts included). */
  readonly files: ReadonlyMap<string, Buffer>;
}

function loadChart(files: Map<string, Buffer>, where: string): LoadedChart {
  const chartYaml = files.get("Chart.yaml");
  if (!chartYaml) throw new Error(`${where}: no Chart.yaml`);
  const meta = parse(chartYaml.toString("utf8")) as { name: string; version: string; dependencies?: ChartDependency[] };
  const valuesYaml = files.get("values.yaml");
  // Parsed on first use: a plan whose values check is cached (plan/render-charts.ts) never needs it, and
  // kube-prometheus-stack's values.yaml alone took a tenth of a plan's CPU time.
  let values: Record<string, unknown> | undefined;
  const parseValues = () => (values ??= ((valuesYaml ? parse(valuesYaml.toString("utf8"), { version: "1.1" }) : undefined) ?? {}) as Record<string, unknown>);
  const templates = new Map<string, string>();
  const crds = new Map<string, string>();
  const nested = new Map<string, Map<string, Buffer>>();
  for (const [file, body] of files) {
    if (file.startsWith("templates/")) templates.set(file, body.toString("utf8"));
    else if (file.startsWith("crds/")) crds.set(file, body.toString("utf8"));
    else if (file.startsWith("charts/")) {
      const rest = file.slice("charts/".length);
      if (!rest.includes("/") && rest.endsWith(".tgz")) {
        const inner = untar(body);
        const top = [...inner.keys()][0]?.split("/")[0] ?? rest;
        nested.set(`tgz:${rest}`, stripTop(inner, top));
      } else if (rest.includes("/")) {
        const dir = rest.slice(0, rest.indexOf("/"));
        if (!nested.has(dir)) nested.set(dir, new Map());
        nested.get(dir)!.set(rest.slice(dir.length + 1), body);
      }
    }
  }
  const subcharts = new Map<string, LoadedChart>();
  for (const [dir, subFiles] of nested) {
    const sub = loadChart(subFiles, `${where}/charts/${dir}`);
    subcharts.set(sub.name, sub);
  }
  return {
    name: meta.name,
    version: String(meta.version),
    dependencies: meta.dependencies ?? [],
    get values() {
      return parseValues();
    },
    templates,
    crds,
    subcharts,
    files,
  };
}

function stripTop(files: Map<string, Buffer>, top: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [file, body] of files) if (file.startsWith(`${top}/`)) out.set(file.slice(top.length + 1), body);
  return out;
}

export interface ChartArchive {
  readonly file: string;
  /** sha256 of the archive bytes: renders are cached by it. */
  readonly sha256: string;
  readonly chart: LoadedChart;
}

const loaded = new Map<string, ChartArchive>();

/** Reads and loads a chart archive (memoised by content, so a process reads each archive once). */
export function readChartArchive(file: string): ChartArchive {
  const bytes = fs.readFileSync(file);
  const sha256 = crypto.createHash("sha256").update(bytes).digest("hex");
  const hit = loaded.get(sha256);
  if (hit) return { ...hit, file };
  const files = untar(bytes);
  const top = [...files.keys()][0]?.split("/")[0];
  if (!top) throw new Error(`${file}: empty archive`);
  const archive = { file, sha256, chart: loadChart(stripTop(files, top), path.basename(file)) };
  loaded.set(sha256, archive);
  return archive;
}

/**
 * The archive of a pinned chart in a checkout; a missing one names the command that stores it. `checkDigest`
 * false only for a --diff baseline that predates charts/SHA256SUMS.
 */
export function pinnedChartArchive(projectDir: string, chart: string, version: string, checkDigest = true): ChartArchive {
  const file = chartArchivePath(projectDir, chart, version);
  if (!fs.existsSync(file)) {
    throw new Error(`chart ${chart} ${version} has no archive ${path.relative(projectDir, file)}: run \`${REFRESH_COMMAND}\` (it pulls every pinned chart that is missing)`);
  }
  const archive = readChartArchive(file);
  if (checkDigest) checkChartDigest(projectDir, file, archive.sha256);
  if (archive.chart.name !== chart || archive.chart.version !== version) {
    throw new Error(`${path.relative(projectDir, file)} holds chart ${archive.chart.name} ${archive.chart.version}, not ${chart} ${version}: run \`${REFRESH_COMMAND}\``);
  }
  return archive;
}
