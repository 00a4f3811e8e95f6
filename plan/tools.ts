import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Where the Go-built tools live: `.ci/build-tools` installs them into $PLATFORM_TOOLS/bin, by default
 * ~/.cache/platform-tools/bin (or $XDG_CACHE_HOME/platform-tools/bin), one folder per machine.
 */
export function toolsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PLATFORM_TOOLS) return path.join(env.PLATFORM_TOOLS, "bin");
  return path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "platform-tools", "bin");
}

/** The path of a Go-built tool (`helm`, `kubeconform`, ...); fails with the command that builds it when absent. */
export function toolPath(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const file = path.join(toolsDir(env), name);
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${name} is not installed at ${file}: run \`bash .ci/build-tools ${name}\` (set PLATFORM_TOOLS to use another folder)`);
  }
  return file;
}
