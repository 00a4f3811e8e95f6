import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT, SECRET_PLACEHOLDER } from "./mocks";

/** A stack's configuration as the Pulumi CLI would hand it to the program. */
export interface StackConfigFile {
  /** Project-qualified key → string value, the form the engine passes (objects JSON-encoded). */
  readonly values: Record<string, string>;
  /** Keys stored as `secure:`; their value is the placeholder, never the decrypted text. */
  readonly secretKeys: string[];
}

interface ProjectConfigDeclaration {
  type?: string;
  default?: unknown;
  secret?: boolean;
}

function encode(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function isSecureValue(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object) && Object.keys(value as object).length === 1;
}

/** The value with every `secure:` entry replaced by the placeholder, and whether there was one. */
function maskSecureValues(value: unknown): { masked: unknown; secret: boolean } {
  if (isSecureValue(value)) return { masked: SECRET_PLACEHOLDER, secret: true };
  if (Array.isArray(value)) {
    const items = value.map(maskSecureValues);
    return { masked: items.map((i) => i.masked), secret: items.some((i) => i.secret) };
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, maskSecureValues(v)] as const);
    return { masked: Object.fromEntries(entries.map(([k, v]) => [k, v.masked])), secret: entries.some(([, v]) => v.secret) };
  }
  return { masked: value, secret: false };
}

function qualify(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/**
 * Reads Pulumi.<stack>.yaml (or another file given by path) and merges the defaults declared in
 * Pulumi.yaml, exactly as the CLI does before it starts the program. `secure:` values stay encrypted.
 */
export function readStackConfig(projectDir: string, stack: string, stackFile?: string): StackConfigFile {
  const projectFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, ProjectConfigDeclaration | string | number | boolean>;
  };
  if (projectFile.name !== PROJECT) throw new Error(`Pulumi.yaml names project "${projectFile.name}", expected "${PROJECT}"`);
  const file = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`No stack file ${file}: run pulumi stack init ${stack} or pass --config <file>`);
  const stackSettings = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, declaration] of Object.entries(projectFile.config ?? {})) {
    const value = declaration !== null && typeof declaration === "object" ? declaration.default : declaration;
    if (value !== undefined) values[qualify(key)] = encode(value);
  }
  for (const [key, value] of Object.entries(stackSettings.config ?? {})) {
    const qualified = qualify(key);
    // Like the CLI, a `secure:` value anywhere inside a key makes the whole key secret; its text stays the
    // placeholder, so nothing downstream can print it.
    const { masked, secret } = maskSecureValues(value);
    values[qualified] = encode(masked);
    if (secret) secretKeys.push(qualified);
  }
  return { values, secretKeys: secretKeys.sort() };
}
