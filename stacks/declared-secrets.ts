import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * The keys Pulumi.yaml in `projectDir` declares `secret: true`. The CLI requires each in every stack, so a
 * stack holds some it never reads (staging's redisSessionsPassword); any other encrypted key is a mistake.
 */
export function declaredSecretKeys(projectDir: string): string[] {
  const file = path.join(projectDir, "Pulumi.yaml");
  if (!fs.existsSync(file)) throw new Error(`No Pulumi.yaml in ${projectDir}: the project's secret declarations are read from it`);
  const project = parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
  return Object.entries(project.config ?? {})
    .filter(([, declaration]) => declaration !== null && typeof declaration === "object" && (declaration as { secret?: unknown }).secret === true)
    .map(([key]) => key)
    .sort();
}
