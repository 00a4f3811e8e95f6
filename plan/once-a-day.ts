import * as fs from "node:fs";
import * as path from "node:path";

export const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a cache entry no plan used is kept. */
export const UNUSED_DAYS = 30;
/** The file that says when a cache folder was last pruned; the pruning leaves it alone. */
export const PRUNED_STAMP = ".pruned";

/**
 * Runs `prune` on a cache folder unless that was done within the last day (a stamp file in the folder holds
 * the time), so the plans that read the cache pay for looking at it once a day. Nothing for a folder that does
 * not exist; a pruning that fails is given up until the next day.
 */
export function onceADay(dir: string, now: number, prune: () => string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  const stamp = path.join(dir, PRUNED_STAMP);
  const last = fs.statSync(stamp, { throwIfNoEntry: false });
  if (last && now - last.mtimeMs < DAY_MS) return [];
  let removed: string[] = [];
  try {
    removed = prune();
  } catch {
    // A cache the plan cannot prune (another user's folder, one removed meanwhile) must not fail the plan.
  }
  try {
    fs.writeFileSync(stamp, "");
    const at = new Date(now);
    fs.utimesSync(stamp, at, at);
  } catch {
    // Pruned anyway; the next plan tries again.
  }
  return removed;
}
