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

const DEFINITION_REF = /^#\/definitions\/(.+)$/;

/** Names of the definitions `root` reaches through `$ref`, itself included. */
function reachableDefinitions(definitions: Record<string, Schema>, root: string): Set<string> {
  const seen = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== "object") return;
    for (const [key, value] of Object.entries(node as Schema)) {
      const ref = key === "$ref" && typeof value === "string" ? DEFINITION_REF.exec(value) : null;
      if (ref && !seen.has(ref[1])) {
        seen.add(ref[1]);
        visit(definitions[ref[1]]);
      } else visit(value);
    }
  };
  seen.add(root);
  visit(definitions[root]);
  return seen;
}

/**
 * An optional field may be sent as null (the API server reads it as unset), as kubeconform's own Kubernetes
 * schemas allow; a quantity may be a number (`cpu: 1`).
 */
function builtinQuirks(node: unknown, name?: string): unknown {
  if (Array.isArray(node)) return node.map((n) => builtinQuirks(n));
  if (node === null || typeof node !== "object") return node;
  const input = node as Schema;
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") return { description: input.description, oneOf: [{ type: "string" }, { type: "number" }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === "properties" && value !== null && typeof value === "object") {
      const required = new Set((input.required as string[] | undefined) ?? []);
      out.properties = Object.fromEntries(
        Object.entries(value as Schema).map(([property, schema]) => {
          const converted = builtinQuirks(schema) as Schema;
          if (required.has(property)) return [property, converted];
          if (typeof converted.type === "string") return [property, { ...converted, type: [converted.type, "null"] }];
          if (typeof converted.$ref === "string") return [property, { oneOf: [{ $ref: converted.$ref }, { type: "null" }] }];
          return [property, converted];
        }),
      );
    } else if (key === "definitions" && value !== null && typeof value === "object") {
      out.definitions = Object.fromEntries(Object.entries(value as Schema).map(([n, schema]) => [n, builtinQuirks(schema, n)]));
    } else out[key] = builtinQuirks(value);
  }
  return out;
}

/**
 * Schemas by relative file path for the built-in kinds of a Kubernetes release, from its OpenAPI v2 document
 * (`api/openapi-spec/swagger.json` of k8s.io/kubernetes), the way kubeconform's published
 * `<version>-standalone-strict` schemas are made: one file per kind and version (`<group>/<kind>_<version>.json`,
 * `v1/<kind>_v1.json` for the core group), each holding the definitions it references, strict like the CRDs' schemas.
 */
export function kubernetesJsonSchemas(swagger: { definitions: Record<string, Schema> }): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    const gvks = definition["x-kubernetes-group-version-kind"] as { group: string; kind: string; version: string }[] | undefined;
    // List kinds and the meta group's wrappers (WatchEvent, DeleteOptions, ...) are never objects of a plan.
    if (!gvks || gvks.length !== 1 || !(definition.properties as Schema | undefined)?.metadata) continue;
    const [{ group, kind, version }] = gvks;
    if (kind.endsWith("List")) continue;
    const definitions = Object.fromEntries([...reachableDefinitions(swagger.definitions, name)].map((n) => [n, swagger.definitions[n]]));
    const schema = builtinQuirks(convert({ ...definition, definitions }), name) as Schema;
    // kubeconform's {{.Group}} of a core kind (apiVersion `v1`) is its version.
    out.set(`${group === "" ? version : group}/${kind.toLowerCase()}_${version}.json`, schema);
  }
  return out;
}

/** Writes the schemas of the built-in kinds from a Kubernetes OpenAPI v2 document under `dir`; returns how many files. */
export function writeKubernetesSchemas(swagger: { definitions: Record<string, Schema> }, dir: string): number {
  return writeSchemas(kubernetesJsonSchemas(swagger), dir);
}

/** Writes the schemas under `dir`; returns how many files. */
export function writeCrdSchemas(crds: readonly Record<string, any>[], dir: string): number {
  return writeSchemas(crdJsonSchemas(crds), dir);
}

function writeSchemas(schemas: Map<string, Schema>, dir: string): number {
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
