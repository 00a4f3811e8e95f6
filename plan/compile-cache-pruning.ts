import * as fs from "node:fs";
import * as path from "node:path";
import { DAY_MS, onceADay, UNUSED_DAYS } from "./once-a-day";

/**
 * Node's compile cache (plan/compile-cache.js) holds a folder per Node version and set of V8 flags, and in it
 * an entry per module path. Node deletes none: the folders of an older Node and the entries of paths that are
 * gone (the temporary worktrees of every `--diff`, a moved checkout) would only pile up. Once a day a plan
 * deletes each folder no process has used for UNUSED_DAYS (plan/compile-cache.js marks its folder used), and
 * each holding more than MAX_ENTRIES (a plan loads about 2,500 modules), live entries and all: the next plans
 * fill it again with what they load.
 */
export const MAX_ENTRIES = 10_000;

export function pruneCompileCache(dir: string, now = Date.now()): string[] {
  return onceADay(dir, now, () => {
    const removed: string[] = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const folder = path.join(dir, entry.name);
      // Another plan may be pruning the same day: a folder gone meanwhile is simply gone.
      const stat = fs.statSync(folder, { throwIfNoEntry: false });
      if (!stat) continue;
      const unused = now - stat.mtimeMs >= UNUSED_DAYS * DAY_MS;
      if (unused || entriesOf(folder) > MAX_ENTRIES) {
        fs.rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
        removed.push(entry.name);
      }
    }
    return removed.sort();
  });
}

function entriesOf(folder: string): number {
  try {
    return fs.readdirSync(folder).length;
  } catch {
    return 0;
  }
}
