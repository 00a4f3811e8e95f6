import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/**
 * Where `.ci/build-tools` puts the Go-built tools: $PLATFORM_TOOLS/bin, else $XDG_CACHE_HOME/platform-tools/bin,
 * else ~/.cache/platform-tools/bin (the same rule as the script).
 */
export const TOOLS_BIN = path.join(process.env.PLATFORM_TOOLS ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "platform-tools"), "bin");

/** The path of a Go-built tool; fails loudly, with the command that builds it, when it is missing. */
export function goTool(name: string): string {
  const file = path.join(TOOLS_BIN, name);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: build it with \`bash .ci/build-tools ${name}\` (.ci/setup does)`);
  return file;
}
