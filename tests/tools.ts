import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { toolsDir } from "../plan/tools";

/**
 * Where the tests find the tools they run. A tool only .ci/build-tools provides (helm, minio, jaeger,
 * kube-apiserver, ...) comes from plan/tools.ts `toolPath`, the one resolver of that folder, which the plan
 * uses too. This file adds the tools that also exist elsewhere on a machine.
 */

export interface ToolSearch {
  /** Environment variable that names the binary to use instead of searching (it must then run). */
  readonly env: string;
  /** Where else to look after the .ci/build-tools folder and ~/go/bin, e.g. a Debian package's binary. */
  readonly fallbacks?: readonly string[];
}

function runs(candidate: string): boolean {
  return fs.existsSync(candidate) && spawnSync(candidate, ["--version"], { encoding: "utf8" }).status === 0;
}

/**
 * A tool with a Go build and often a Debian package too (promtool, amtool, actionlint): `$<env>` when set,
 * else the first of the .ci/build-tools folder, ~/go/bin (older `go install` builds) and `fallbacks` whose
 * `--version` runs. Fails loudly, naming what it tried, when none does.
 */
export function resolveTool(name: string, search: ToolSearch): string {
  const override = process.env[search.env];
  if (override) {
    if (!runs(override)) throw new Error(`${search.env}=${override} does not run (${name} --version failed)`);
    return override;
  }
  const candidates = [path.join(toolsDir(), name), path.join(os.homedir(), "go", "bin", name), ...(search.fallbacks ?? [])];
  const found = candidates.find(runs);
  if (found === undefined) throw new Error(`${name} not found (tried ${candidates.join(", ")}): run \`bash .ci/setup\`, or set ${search.env}=/path/to/${name}`);
  return found;
}

/** The directories of $PATH, each with `name` appended: the fallbacks of a tool that may be installed anywhere. */
export function onPath(name: string): string[] {
  return (process.env.PATH ?? "").split(":").filter((dir) => dir !== "").map((dir) => path.join(dir, name));
}

/** Go's module cache as the go command has it (GOMODCACHE, GOPATH, go.env), else its default. */
function goModCache(): string {
  const asked = spawnSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" });
  const answer = asked.status === 0 ? asked.stdout.trim() : "";
  return answer !== "" ? answer : path.join(process.env.GOPATH || path.join(os.homedir(), "go"), "pkg", "mod");
}

/**
 * The OpenAPI v2 document of the Kubernetes release the test API server is built from (`k8s.io/kubernetes`, pinned
 * in .ci/tools/kube-apiserver/go.mod): `api/openapi-spec/swagger.json` of that module, which building kube-apiserver
 * put in the Go module cache. kubeconform's schemas for the built-in kinds are made from it, nothing downloaded.
 * `$KUBERNETES_OPENAPI` names another copy.
 */
export function kubernetesOpenApi(): string {
  if (process.env.KUBERNETES_OPENAPI) return process.env.KUBERNETES_OPENAPI;
  const goMod = fs.readFileSync(path.join(__dirname, "..", ".ci", "tools", "kube-apiserver", "go.mod"), "utf8");
  const version = /^require k8s\.io\/kubernetes (v\S+)$/m.exec(goMod)?.[1];
  if (version === undefined) throw new Error(".ci/tools/kube-apiserver/go.mod pins no k8s.io/kubernetes version");
  const modules = goModCache();
  const file = path.join(modules, "k8s.io", `kubernetes@${version}`, "api", "openapi-spec", "swagger.json");
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`bash .ci/setup\` (it downloads k8s.io/kubernetes ${version} into Go's module cache), or set KUBERNETES_OPENAPI`);
  return file;
}
