import * as fs from "node:fs";
import * as path from "node:path";
import { DAY_MS, onceADay, PRUNED_STAMP, UNUSED_DAYS } from "./once-a-day";

/**
 * The render cache (`~/.cache/platform/helm-renders` on Linux) is keyed by content, so every change of a
 * chart's version or values leaves the previous render behind: megabytes each for the charts with CRDs, with
 * their written manifests beside them. A plan marks every entry it reads (its modification time is set to now),
 * and at most once a day deletes the entries no plan has used for UNUSED_DAYS. An entry is every file whose
 * name starts with the same key (`<key>.json`, `<key>.manifests-…`, `<key>.chart.json`, `<key>.values-ok`),
 * and counts as used when any of them was.
 */
/** Notes that a plan used this cache file. */
export function markUsed(file: string): void {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // A read-only cache is only never pruned.
  }
}

/** Deletes the entries of `cacheDir` unused for UNUSED_DAYS, unless that was done within the last day. */
export function pruneUnusedRenders(cacheDir: string, now = Date.now()): string[] {
  return onceADay(cacheDir, now, () => {
    const used = new Map<string, number>();
    const files = new Map<string, string[]>();
    for (const name of fs.readdirSync(cacheDir)) {
      if (name === PRUNED_STAMP || name.endsWith(".tmp")) continue;
      const key = name.slice(0, name.indexOf(".") === -1 ? name.length : name.indexOf("."));
      const stat = fs.statSync(path.join(cacheDir, name), { throwIfNoEntry: false });
      if (!stat?.isFile()) continue;
      used.set(key, Math.max(used.get(key) ?? 0, stat.mtimeMs));
      files.set(key, [...(files.get(key) ?? []), name]);
    }
    const removed: string[] = [];
    for (const [key, lastUse] of used) {
      if (now - lastUse < UNUSED_DAYS * DAY_MS) continue;
      for (const name of files.get(key)!) {
        fs.rmSync(path.join(cacheDir, name), { force: true });
        removed.push(name);
      }
    }
    return removed.sort();
  });
}
