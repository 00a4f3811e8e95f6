import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Where .ci/build-tools puts the Go-built tools: $PLATFORM_TOOLS, else $XDG_CACHE_HOME or ~/.cache, then platform-tools. */
export const PLATFORM_TOOLS_BIN = path.join(process.env.PLATFORM_TOOLS ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "platform-tools"), "bin");

/** Path of a tool .ci/build-tools builds (helm, jaeger, ...); fails loudly, with the command that builds it, when it is missing. */
export function platformTool(name: string): string {
  const file = path.join(PLATFORM_TOOLS_BIN, name);
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    throw new Error(`${name} not found at ${file}: build it with \`bash .ci/build-tools ${name}\``);
  }
  return file;
}
