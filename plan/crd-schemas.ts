import * as fs from "node:fs";
import * as path from "node:path";

/**
 * JSON schemas for kubeconform from CustomResourceDefinitions, the way kubeconform's openapi2jsonschema.py
 * makes them (reimplemented, so nothing is downloaded): one file per served version at
 * `<group>/<kind>_<version>.json` (kind lower-cased), int-or-string fields as `oneOf` string/integer, and
 * `additionalProperties: false` on every object that lists its properties and does not preserve unknown
 * fields, so a misspelt field fails. The CRDs are the ones the plan renders from the pinned chart archives.
 *
 * Validate with:
 *   kubeconform -strict -schema-location '<dir>/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json' <files>
 */

type Schema = Record<string, unknown>;

/** kubeconform's -schema-location template for a folder written by `writeCrdSchemas`. */
export const schemaLocation = (dir: string) => `${dir}/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`;

/** Keys whose value is a map of names to schemas, never a schema itself (a property may be named "properties"). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependentSchemas"]);

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (node === null || typeof node !== "object") return node;
  const input = node as Schema;
  const converted = (key: string, value: unknown): unknown =>
    SCHEMA_MAPS.has(key) && value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value as Schema).map(([name, schema]) => [name, convert(schema)]))
      : convert(value);
  if (input["x-kubernetes-int-or-string"] === true || input.format === "int-or-string") {
    const { type: _type, format: _format, ...rest } = input;
    return { ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, converted(k, v)])), oneOf: [{ type: "string" }, { type: "integer" }] };
  }
  const out: Schema = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, converted(k, v)]));
  if (out.properties !== undefined && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** Schemas by relative file path, for every served version of every CRD given. */
export function crdJsonSchemas(crds: readonly Record<string, any>[]): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const crd of crds) {
    if (crd.kind !== "CustomResourceDefinition") continue;
    const { group, names } = crd.spec;
    for (const version of crd.spec.versions ?? []) {
      if (version.served === false || !version.schema?.openAPIV3Schema) continue;
      const schema = convert(version.schema.openAPIV3Schema) as Schema;
      // Objects always carry these, whatever the CRD's schema says of them.
      const properties = { ...(schema.properties as Schema | undefined), apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
      out.set(`${group}/${String(names.kind).toLowerCase()}_${version.name}.json`, { ...schema, properties });
    }
  }
  return out;
}

/** Writes the schemas under `dir`; returns how many files. */
export function writeCrdSchemas(crds: readonly Record<string, any>[], dir: string): number {
  const schemas = crdJsonSchemas(crds);
  for (const [file, schema] of schemas) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), JSON.stringify(schema));
  }
  return schemas.size;
}

if (require.main === module) {
  // npm run crd-schemas -- <manifests dir> <out dir>: schemas from a plan's rendered CRDs.
  const [manifests, out] = process.argv.slice(2);
  if (!manifests || !out) {
    console.error("usage: npm run crd-schemas -- build/<stack>/manifests <out dir>");
    process.exit(1);
  }
  // Lazy: the CLI reads manifests; tests pass the recorded objects directly.
  const { manifestObjects } = require("./images") as typeof import("./images");
  console.log(`${writeCrdSchemas(manifestObjects(manifests), out)} schemas written to ${out}`);
}
