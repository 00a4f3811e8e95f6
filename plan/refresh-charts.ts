import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CHARTS } from "../components/monitoring/charts";
import { CHART_DIGESTS_FILE, chartArchivePath, readChartArchive, recordedChartDigests } from "./chart-archive";
import { REPOSITORY_ROOT } from "./run-program";
import { toolPath } from "./tools";

/**
 * Keeps charts/ in step with the pins in components/monitoring/charts.ts (README: bumping a chart): pulls the
 * archive of every pinned chart that has none, with `helm pull --repo`, removes archives no pin names, and
 * records the sha256 of every archive it keeps in charts/SHA256SUMS, which every render checks. The plan and
 * CI then render charts without a network. Pulling needs network access to the chart repositories.
 *
 *   npm run charts:refresh            pull what is missing, remove what is stale, record the digests
 *   npm run charts:refresh -- --check only report; exit 1 if charts/ is out of step or an archive's bytes
 *                                     are not the ones recorded
 */

export interface ChartsStatus {
  /** Pinned charts without an archive: `<chart>-<version>.tgz`. */
  readonly missing: { chart: string; version: string; repository: string }[];
  /** Archives in charts/ that no pin names. */
  readonly stale: string[];
  /** Archives whose sha256 is not the one charts/SHA256SUMS records (or that it does not list): file names. */
  readonly changed: string[];
}

export function chartsStatus(root = REPOSITORY_ROOT): ChartsStatus {
  const pins = Object.values(CHARTS);
  const wanted = new Set(pins.map((p) => path.basename(chartArchivePath(root, p.chart, p.version))));
  const present = fs.existsSync(path.join(root, "charts")) ? fs.readdirSync(path.join(root, "charts")).filter((f) => f.endsWith(".tgz")) : [];
  const seen = new Set<string>();
  const missing = pins
    .filter((p) => !present.includes(path.basename(chartArchivePath(root, p.chart, p.version))))
    .filter((p) => (seen.has(`${p.chart}@${p.version}`) ? false : seen.add(`${p.chart}@${p.version}`)))
    .map((p) => ({ chart: p.chart, version: p.version, repository: p.repository }));
  const recorded = recordedChartDigests(root);
  const changed = present.filter((f) => wanted.has(f) && recorded.get(f) !== fileDigest(path.join(root, "charts", f))).sort();
  return { missing, stale: present.filter((f) => !wanted.has(f)).sort(), changed };
}

const fileDigest = (file: string) => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

/** charts/SHA256SUMS for the archives charts/ holds, in `sha256sum` form (`sha256sum -c` checks it). */
function recordDigests(root: string): void {
  const archives = fs.readdirSync(path.join(root, "charts")).filter((f) => f.endsWith(".tgz")).sort();
  fs.writeFileSync(path.join(root, CHART_DIGESTS_FILE), archives.map((f) => `${fileDigest(path.join(root, "charts", f))}  ${f}\n`).join(""));
}

function main(argv: string[]): number {
  const status = chartsStatus();
  if (argv.includes("--check")) {
    for (const m of status.missing) console.log(`missing: charts/${m.chart}-${m.version}.tgz (${m.repository})`);
    for (const s of status.stale) console.log(`stale:   charts/${s}`);
    for (const c of status.changed) console.log(`changed: charts/${c} (its sha256 is not the one ${CHART_DIGESTS_FILE} records)`);
    const problems = status.missing.length + status.stale.length + status.changed.length;
    if (problems === 0) console.log(`charts/ matches components/monitoring/charts.ts and ${CHART_DIGESTS_FILE}`);
    return problems > 0 ? 1 : 0;
  }
  const helm = toolPath("helm");
  for (const { chart, version, repository } of status.missing) {
    const destination = path.join(REPOSITORY_ROOT, "charts");
    fs.mkdirSync(destination, { recursive: true });
    const args = repository.startsWith("oci://")
      ? ["pull", `${repository.replace(/\/$/, "")}/${chart}`, "--version", version, "--destination", destination]
      : ["pull", chart, "--repo", repository, "--version", version, "--destination", destination];
    execFileSync(helm, args, { stdio: "inherit" });
    const archive = readChartArchive(chartArchivePath(REPOSITORY_ROOT, chart, version));
    if (archive.chart.name !== chart || archive.chart.version !== version) {
      throw new Error(`helm pull ${chart} ${version} stored chart ${archive.chart.name} ${archive.chart.version}`);
    }
    console.log(`pulled charts/${chart}-${version}.tgz`);
  }
  for (const file of status.stale) {
    fs.rmSync(path.join(REPOSITORY_ROOT, "charts", file));
    console.log(`removed charts/${file} (no pin names it)`);
  }
  const recorded = recordedChartDigests(REPOSITORY_ROOT);
  for (const file of status.changed) {
    const before = recorded.get(file);
    // A changed digest is the case to look at twice: the archive's bytes are not the ones committed with the pin.
    console.log(
      before === undefined
        ? `recording the sha256 of charts/${file}, which ${CHART_DIGESTS_FILE} did not list`
        : `charts/${file} CHANGED: sha256 ${before} is now ${fileDigest(path.join(REPOSITORY_ROOT, "charts", file))}; recording the new bytes (review the archive before committing)`,
    );
  }
  recordDigests(REPOSITORY_ROOT);
  if (status.missing.length + status.stale.length + status.changed.length === 0) console.log("charts/ matches components/monitoring/charts.ts");
  return 0;
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  }
}
