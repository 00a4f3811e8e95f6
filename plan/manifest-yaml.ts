import { stringify } from "yaml";
import { canonical, toYaml } from "../components/core/yaml";

/**
 * The text of `toYaml(object)` (components/core/yaml.ts), byte for byte, written faster for the plan's
 * manifests/: the `yaml` library builds a node tree for every document and was a quarter of the plan's CPU
 * time. Here the block structure (maps, sequences, indentation) is written directly, and each distinct scalar
 * is turned into text once by the library itself, in the same context (a sequence item or a map value; a map
 * key), then reused: quoting, YAML 1.1 words (`on`, `yes`, `n`), numbers and block literals stay the
 * library's decisions. Anything outside that shape (keys that are not plain names, undefined, non-plain
 * objects, strings ending in blank lines) falls back to `toYaml` for the whole object. tests/plan/manifest-
 * yaml.spec.ts holds the two equal over every object of both stacks' plans.
 */

const OPTIONS = { version: "1.1", lineWidth: 0, aliasDuplicateObjects: false } as const;
const INDENT = "  ";
/** Map keys written without asking the library: label-like names only (a long or odd key may need `? `). */
const PLAIN_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,252}$/;

/**
 * Strings every YAML 1.1 reader takes as plain strings, written without asking the library: a letter first,
 * then only name characters, and none of 1.1's boolean or null words (`y`, `n`, `on`, `off`, `null`...).
 * Numbers, timestamps and sexagesimals start with a digit, a sign or a dot, so they never match.
 */
const SURELY_PLAIN = /^[A-Za-z][A-Za-z0-9._/-]*$/;
const YAML_11_WORDS = /^(?:y|n|yes|no|true|false|on|off|null)$/i;
const surelyPlain = (text: string) => SURELY_PLAIN.test(text) && !YAML_11_WORDS.test(text);

class Fallback extends Error {}
const FALLBACK = new Fallback();

const keyTexts = new Map<string, string>();
const stringTexts = new Map<string, string[]>();

function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    if (!PLAIN_KEY.test(key)) throw FALLBACK;
    if (surelyPlain(key)) {
      keyTexts.set(key, key);
      return key;
    }
    const line = stringify({ [key]: null }, OPTIONS);
    if (!line.endsWith(": null\n") || line.indexOf("\n") !== line.length - 1) throw FALLBACK;
    text = line.slice(0, -": null\n".length);
    keyTexts.set(key, text);
  }
  return text;
}

/**
 * A string value's lines as the library writes it as a sequence item at the root: the first line after
 * "- ", the rest (a block literal's content) indented by one step, which the caller replaces by its own.
 */
function stringLines(value: string): string[] {
  let lines = stringTexts.get(value);
  if (lines === undefined) {
    if (surelyPlain(value)) {
      lines = [value];
      stringTexts.set(value, lines);
      return lines;
    }
    if (value.endsWith("\n\n")) throw FALLBACK;
    const text = stringify([value], OPTIONS);
    if (!text.startsWith("- ") || !text.endsWith("\n")) throw FALLBACK;
    lines = text.slice(2, -1).split("\n");
    for (const line of lines.slice(1)) if (line !== "" && !line.startsWith(INDENT)) throw FALLBACK;
    stringTexts.set(value, lines);
  }
  return lines;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** A scalar or empty collection after "key:" or "-", or undefined for a non-empty collection. */
function inline(value: unknown, indent: string): string | undefined {
  if (value === null) return " null";
  switch (typeof value) {
    case "string": {
      const [first, ...rest] = stringLines(value);
      return rest.length === 0 ? ` ${first}` : ` ${first}\n${rest.map((line) => (line === "" ? "" : indent + INDENT + line.slice(INDENT.length))).join("\n")}`;
    }
    case "number":
      if (!Number.isFinite(value) || Object.is(value, -0)) throw FALLBACK;
      return ` ${JSON.stringify(value)}`;
    case "boolean":
      return value ? " true" : " false";
    case "object":
      if (Array.isArray(value)) return value.length === 0 ? " []" : undefined;
      if (!isPlainObject(value)) throw FALLBACK;
      return Object.keys(value).length === 0 ? " {}" : undefined;
    default:
      throw FALLBACK;
  }
}

/** A non-empty map or sequence whose first line the caller has started; later lines at `indent`. */
function block(value: object, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push(i === 0 ? "-" : `\n${indent}-`);
      const text = inline(item, indent);
      if (text !== undefined) out.push(text);
      else {
        out.push(" ");
        block(item as object, indent + INDENT, out);
      }
    });
    return;
  }
  Object.entries(value).forEach(([key, item], i) => {
    out.push(i === 0 ? keyText(key) : `\n${indent}${keyText(key)}`, ":");
    const text = inline(item, indent);
    if (text !== undefined) out.push(text);
    else {
      out.push(`\n${indent}${INDENT}`);
      block(item as object, indent + INDENT, out);
    }
  });
}

/** `toYaml(object)`; `ordered` is `canonical(object)` when the caller has it already. */
export function manifestYaml(object: unknown, ordered: unknown = canonical(object)): string {
  if (ordered === null || typeof ordered !== "object" || inline(ordered, "") !== undefined) return toYaml(object);
  const out: string[] = [];
  try {
    block(ordered, "", out);
  } catch (err) {
    if (err instanceof Fallback) return toYaml(object);
    throw err;
  }
  out.push("\n");
  return out.join("");
}
