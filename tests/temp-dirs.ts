import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Temporary folders that outlive the test making them (a stack file other tests plan, a plan folder, a scratch
 * folder made when a spec file loads) are removed when the run ends: by a root-level `after` hook, or when the
 * process exits without it (a run that only loads the files, an interrupted one). A plan folder holds some
 * 28 MB; before this, every run left a few hundred MB in the OS temp folder.
 */
const made = new Set<string>();

/** A new folder `<os temp>/<prefix>XXXXXX`, removed when the test run ends. */
export function runTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

function removeRunTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  made.clear();
}

// Registered when the first spec file imports this module, at the top level of the file: mocha then adds the
// hook to the root suite, so it runs once, after every spec file.
if (typeof after === "function") after("remove the run's temporary folders", removeRunTempDirs);
process.once("exit", removeRunTempDirs);
