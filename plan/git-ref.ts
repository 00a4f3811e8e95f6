import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Checks out `ref` into a temporary worktree sharing this checkout's node_modules, runs `use` on it and
 * removes it again. The old program then runs with the same SDK instance as the new one.
 */
export async function withCheckout<T>(repositoryRoot: string, ref: string, use: (dir: string) => Promise<T>): Promise<T> {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
  let commit: string;
  try {
    commit = git("rev-parse", "--verify", `${ref}^{commit}`);
  } catch {
    throw new Error(`--diff: "${ref}" is not a commit in this repository`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-plan-"));
  git("worktree", "add", "--detach", "--force", dir, commit);
  try {
    fs.symlinkSync(path.join(repositoryRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
    if (!fs.existsSync(path.join(dir, "index.ts"))) throw new Error(`--diff: ${ref} has no index.ts to plan`);
    return await use(dir);
  } finally {
    git("worktree", "remove", "--force", dir);
  }
}
