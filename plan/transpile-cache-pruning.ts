import * as fs from "node:fs";
import * as path from "node:path";
import { DAY_MS, onceADay, UNUSED_DAYS } from "./once-a-day";

/**
 * `npm run plan`'s transpiled TypeScript (plan/typescript-require.js, in node_modules/.cache/platform-ts) is
 * keyed by each file's path and content, so every edit and every folder a file is loaded from (the temporary
 * checkout of each `--diff`) adds an entry of its own: a developer's cache had grown to 38,000 entries and
 * 514 MB within a month. Once a day a plan deletes the entries no plan has read for UNUSED_DAYS (a read marks an
 * entry used by its modification time), then the least recently read beyond MAX_ENTRIES (a plan reads about
 * 300), and the partial writes of plans that were killed while writing. What is deleted and needed again costs
 * a plan about a millisecond per file to transpile.
 */
export const MAX_ENTRIES = 5_000;

export function pruneTranspileCache(dir: string, now = Date.now()): string[] {
  return onceADay(dir, now, () => {
    const removed: string[] = [];
    const kept: { name: string; read: number }[] = [];
    for (const name of fs.readdirSync(dir)) {
      const keptFor = name.endsWith(".js") ? UNUSED_DAYS * DAY_MS : name.endsWith(".tmp") ? DAY_MS : undefined;
      if (keptFor === undefined) continue;
      // Another plan may be pruning the same day: an entry gone meanwhile is simply gone.
      const stat = fs.statSync(path.join(dir, name), { throwIfNoEntry: false });
      if (!stat) continue;
      if (now - stat.mtimeMs >= keptFor) removed.push(name);
      else if (name.endsWith(".js")) kept.push({ name, read: stat.mtimeMs });
    }
    kept.sort((a, b) => b.read - a.read);
    removed.push(...kept.slice(MAX_ENTRIES).map((entry) => entry.name));
    for (const name of removed) fs.rmSync(path.join(dir, name), { force: true });
    return removed.sort();
  });
}
