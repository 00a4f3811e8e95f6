import * as fs from "node:fs";
import * as path from "node:path";

/** File name of the gate script, in this folder and in the ConfigMap the gate Job mounts. */
export const GATE_SCRIPT_FILE = "blue-green-gate.sh";

/** Path of the script in the repository (the tests run this very file). */
export const GATE_SCRIPT_PATH = path.join(__dirname, GATE_SCRIPT_FILE);

/** The gate script's text, exactly as committed; the ConfigMap carries it byte for byte. */
export function gateScript(): string {
  return fs.readFileSync(GATE_SCRIPT_PATH, "utf8");
}
