import { spawnSync } from "node:child_process";
import { resolveTool } from "./tools";

/** amtool to run: $AMTOOL, else the current build of .ci/build-tools (or one in ~/go/bin) if it runs, else Debian's 0.25. */
export const AMTOOL = resolveTool("amtool", { env: "AMTOOL", fallbacks: ["/usr/bin/amtool"] });

export interface AmtoolRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function amtool(args: readonly string[]): AmtoolRun {
  const result = spawnSync(AMTOOL, args, { encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `amtool config routes test` of `labels` ("name=value ..."), expecting `receivers` ("a,b"): exit 0 and those receivers printed when they match. */
export function routesTest(configFile: string, labels: string, receivers: string): AmtoolRun {
  return amtool(["config", "routes", "test", `--config.file=${configFile}`, `--verify.receivers=${receivers}`, ...labels.split(" ")]);
}
