import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import "./interrupted.js";

/**
 * Temporary folders that outlive the test making them (a stack file other tests plan, a plan folder, a scratch
 * folder made when a spec file loads) are removed when the test process exits, after every root hook: the
 * shared servers' hooks stop them first, whatever their folders hold. A plan folder holds some 28 MB; before
 * this, every run left a few hundred MB in the OS temp folder. An interrupted run exits too (tests/interrupted.js);
 * only a process killed outright (SIGKILL) leaves its folders.
 */
const made = new Set<string>();

/** A new folder `<os temp>/<prefix>XXXXXX`, removed when the test process exits. */
export function runTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

process.once("exit", () => {
  for (const dir of made) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // An exit handler that throws skips the ones after it (the servers' kill): a folder left is the lesser harm.
    }
  }
});
