import * as fs from "node:fs";
import * as path from "node:path";

/** The package's root folder, whether this runs from the repository (provider/) or from the built package (dist/provider/). */
export const PACKAGE_ROOT = [path.resolve(__dirname, ".."), path.resolve(__dirname, "..", "..")].find((dir) =>
  fs.existsSync(path.join(dir, "provider", "pulumi-resource-platform")),
)!;

/** The library's semantic version, from the package's own package.json: the component package's schema version. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string }).version;
}
