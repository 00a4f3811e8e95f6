import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { isUtf8 } from "node:buffer";
import { type Document, type ErrorCode, isAlias, isCollection, isMap as isYamlMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseDocument, visit } from "yaml";
import { namesSecretKey } from "../stacks/parse";
import { secretStandIn } from "../stacks/secret-detection";
import { PROJECT } from "./mocks";

/** The top-level keys of a stack file the Pulumi CLI reads (its ProjectStack). */
const STACK_FILE_KEYS = ["config", "environment", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** A stack's configuration as the Pulumi CLI would hand it to the program. */
export interface StackConfigFile {
  /** Project-qualified key → string value, the form the engine passes (objects JSON-encoded). */
  readonly values: Record<string, string>;
  /** Keys stored as `secure:`; their value is a stand-in (ciphertextStandIn), never the decrypted text. */
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

// What the CLI decrypts: exactly `{secure: <ciphertext>}`. `{secure: ~}` or `{secure: 12345}` is a plain object to
// it, so it is one here too.
function isSecureValue(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length !== 1) return false;
  const text = (value as { secure?: unknown }).secure;
  return typeof text === "string" && text !== "";
}

// Pulumi's own stack name characters. The name also becomes a folder (build/<stack>, which a plan empties of
// everything it did not write) and file names (Pulumi.<stack>.yaml, policy/config/<stack>.json), so nothing
// that could lead out of those folders gets in.
const STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** Why `stack` cannot be a stack's name, or `undefined` when it can. */
export function stackNameProblem(stack: string): string | undefined {
  return STACK_NAME.test(stack) && !/^\.+$/.test(stack) ? undefined : `${JSON.stringify(stack)} is not a stack name (letters, digits, '-', '_' and '.', not a path)`;
}

/** A stack file the CLI would refuse, or that would hand the program something it must not see. */
export class StackFileError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "StackFileError";
  }
}

// The yaml library's own messages quote the offending text (a secret, plain or encrypted, as often as not), so
// each kind of error gets a fixed wording here instead.
const YAML_ERROR_REASONS: Record<ErrorCode, string> = {
  ALIAS_PROPS: "an alias cannot have an anchor or a tag",
  BAD_ALIAS: "an alias names no anchor defined before it",
  BAD_DIRECTIVE: "unsupported or malformed % directive",
  BAD_DQ_ESCAPE: "invalid escape sequence in a double-quoted string",
  BAD_INDENT: "bad indentation",
  BAD_PROP_ORDER: "anchors and tags must come after the - or ? indicator",
  BAD_SCALAR_START: "a plain value cannot start with this character; quote it",
  BLOCK_AS_IMPLICIT_KEY: "a block collection cannot be a map key",
  BLOCK_IN_FLOW: "a block collection cannot be inside a flow collection ([...] or {...})",
  DUPLICATE_KEY: "a map gives this key twice",
  IMPOSSIBLE: "unparseable YAML",
  KEY_OVER_1024_CHARS: "a map key longer than 1024 characters",
  MISSING_CHAR: "a closing quote, bracket or separator is missing",
  MULTILINE_IMPLICIT_KEY: "a map key must be on a single line (is a quote left open?)",
  MULTIPLE_ANCHORS: "a node has more than one anchor",
  MULTIPLE_DOCS: "a stack file holds one YAML document, this one has several",
  MULTIPLE_TAGS: "a node has more than one tag",
  NON_STRING_KEY: "a map key must be a string",
  RESOURCE_EXHAUSTION: "too many alias expansions",
  TAB_AS_INDENT: "a tab used as indentation",
  TAG_RESOLVE_FAILED: "unknown YAML tag",
  UNEXPECTED_TOKEN: "unexpected text (is a quote or bracket left open?)",
  BAD_COLLECTION_TYPE: "a tag that does not fit its collection",
};

/**
 * A file's text as the Pulumi CLI's YAML reader decodes it: UTF-8, or UTF-16 after its byte order mark; lone
 * carriage returns are line breaks. Anything else is refused at its first byte that is not UTF-8 (read on, it
 * would be a replacement character the CLI never sees, and a file the CLI refuses would plan).
 */
function readYamlText(file: string): string {
  const bytes = fs.readFileSync(file);
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString("utf16le");
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) text = Buffer.from(bytes.subarray(2)).swap16().toString("utf16le");
  else if (isUtf8(bytes)) text = bytes.toString("utf8");
  else {
    // CR and LF are never part of a multi-byte UTF-8 sequence: the first line that is not UTF-8 holds the first bad
    // byte. Lines end as the CLI reads them, at LF, CRLF or a lone CR.
    let start = 0;
    for (let line = 1; ; line++) {
      let end = start;
      while (end < bytes.length && bytes[end] !== 0x0a && bytes[end] !== 0x0d) end++;
      const text = bytes.subarray(start, end);
      if (!isUtf8(text)) {
        const col = text.toString("utf8").indexOf("\uFFFD") + 1;
        throw new StackFileError([`${file}:${line}:${col}: not UTF-8 text (the Pulumi CLI reads a stack file as UTF-8): save the file as UTF-8`]);
      }
      start = end + (bytes[end] === 0x0d && bytes[end + 1] === 0x0a ? 2 : 1);
    }
  }
  return text.replace(/\r(?!\n)/g, "\n");
}

/**
 * A node the YAML reader cannot turn into a value although it parsed: an alias of no anchor before it, a merge
 * key (`<<`) of something other than a map, or a list or map used as a map key.
 */
function unreadableNode(document: Document): { node: YamlNode; reason: string } | undefined {
  let found: { node: YamlNode; reason: string } | undefined;
  const isMapSource = (node: unknown): boolean => isYamlMap(isAlias(node) ? node.resolve(document) : node);
  visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      found = { node: alias, reason: YAML_ERROR_REASONS.BAD_ALIAS };
      return visit.BREAK;
    },
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = { node: pair.key, reason: YAML_ERROR_REASONS.NON_STRING_KEY };
        return visit.BREAK;
      }
      const merge = isScalar(pair.key) && typeof pair.key.value === "symbol";
      if (!merge || (isSeq(pair.value) ? pair.value.items.every(isMapSource) : isMapSource(pair.value))) return undefined;
      // An alias is reported as itself, above, when its anchor is missing.
      if (isAlias(pair.value) && pair.value.resolve(document) === undefined) return undefined;
      found = { node: pair.key as YamlNode, reason: "a merge key (<<) takes a map, an alias of one or a list of them" };
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * A YAML file's content, or a StackFileError naming its first syntax error as `<file>:<line>:<col>: <reason>`,
 * never with the source text around it. Only the first: one open quote or tab sets off dozens of follow-on
 * errors. Merge keys (`<<: *defaults`) are read, as the Pulumi CLI reads them. The document comes along, for
 * the spelling of its scalars.
 */
function readYamlFile(file: string): { value: unknown; document: Document } {
  const lineCounter = new LineCounter();
  const document = parseDocument(readYamlText(file), { merge: true, prettyErrors: false, lineCounter });
  const [error] = document.errors;
  if (error) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    throw new StackFileError([`${file}:${line}:${col}: ${YAML_ERROR_REASONS[error.code] ?? "invalid YAML"}`]);
  }
  const unreadable = unreadableNode(document);
  if (unreadable) {
    const { line, col } = lineCounter.linePos(unreadable.node.range?.[0] ?? 0);
    throw new StackFileError([`${file}:${line}:${col}: ${unreadable.reason}`]);
  }
  try {
    return { value: document.toJS(), document };
  } catch {
    throw new StackFileError([`${file}: the YAML could not be read (aliases expand too far)`]);
  }
}

/** The `config:` entries of a stack file's document by key, as written (merged-in entries have none). */
function configNodes(document: Document): Map<string, unknown> {
  const config = document.get("config", true);
  const nodes = new Map<string, unknown>();
  if (isYamlMap(config)) for (const pair of config.items) if (isScalar(pair.key) && typeof pair.key.value === "string") nodes.set(pair.key.value, pair.value);
  return nodes;
}

/**
 * The numbers inside a value of the stack file's YAML document, as written: walks the value's YAML node and
 * gives key path → YAML text, where the text is not the one JavaScript prints the number as (1.10, 0022, 1e3).
 * Aliases and merge keys are not followed: the numbers they bring in are passed on as read.
 */
function yamlNumberSpellings(node: unknown, path: readonly (string | number)[] = [], out: [(string | number)[], string][] = []): [(string | number)[], string][] {
  if (isAlias(node)) return out;
  if (isYamlMap(node)) {
    for (const pair of node.items) if (isScalar(pair.key) && typeof pair.key.value !== "symbol") yamlNumberSpellings(pair.value, [...path, String(pair.key.value)], out);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => yamlNumberSpellings(item, [...path, i], out));
  } else if (isScalar(node) && typeof node.value === "number" && node.source !== undefined && node.source !== String(node.value)) {
    out.push([[...path], node.source]);
  }
  return out;
}

// JSON's number grammar: the spellings a JSON text can hand over as written.
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const rawJSON = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * A stack file's value as the engine would hand it to the program, in the one way the engine cannot: with
 * each number as written. The CLI hands a top-level scalar over as its text (`1.10`, not 1.1), and a nested
 * value as JSON, where a number loses its spelling (`version: 1.10` becomes 1.1); here it keeps it, so the
 * loader can refuse a number whose text matters (stacks/parse.ts). A spelling JSON has no room for (0022,
 * which YAML 1.2 reads as 22 and the CLI's YAML 1.1 as octal 18; .5; 0x1F) is a problem of its own.
 */
function encodeAsWritten(qualified: string, value: unknown, node: unknown, problems: string[], file: string): string {
  if (isScalar(node) && (typeof node.value === "number" || typeof node.value === "boolean") && node.source !== undefined) return node.source;
  // The CLI reads an empty value (`key:` or `~`) into its string as "", not as the word null.
  if (value === null) return "";
  if (typeof value !== "object") return encode(value);
  const spelled = structuredClone(value) as Record<string | number, unknown>;
  for (const [path, source] of yamlNumberSpellings(node)) {
    const parent = path.slice(0, -1).reduce<unknown>((at, key) => (at !== null && typeof at === "object" ? (at as Record<string | number, unknown>)[key] : undefined), spelled);
    const last = path[path.length - 1];
    if (parent === null || typeof parent !== "object" || typeof (parent as Record<string | number, unknown>)[last] !== "number") continue;
    if (JSON_NUMBER.test(source)) (parent as Record<string | number, unknown>)[last] = rawJSON(source);
    else {
      const shown = path.map((part) => (typeof part === "number" ? `[${part}]` : `.${part}`)).join("");
      const number = (parent as Record<string | number, unknown>)[last] as number;
      // Where a secret's key name belongs, the number may be the secret itself.
      const quoted = !namesSecretKey(path) && Number.isFinite(number);
      const read = quoted ? `YAML reads ${source} as the number ${String(number)}` : "YAML reads this as a number";
      problems.push(`${file}: ${qualified}${shown}: ${read}, and YAML readers differ on such spellings; quote it if it is text${quoted ? `, else write ${String(number)}` : ""}`);
    }
  }
  return JSON.stringify(spelled);
}

/**
 * What the offline plan hands the program for a `secure:` value, which it never decrypts: a stand-in named
 * by a digest of the ciphertext. A secret set anew (`pulumi config set --secret` writes a new ciphertext,
 * even for the same value) so reaches the resources that read it as a new value, and `--diff` shows them
 * changed, masked; the digest of text the stack file already shows tells nothing about the value.
 */
export function ciphertextStandIn(ciphertext: string): string {
  return secretStandIn(createHash("sha256").update(ciphertext).digest("hex"));
}

/** The value with every `secure:` entry replaced by its stand-in, and whether there was one. */
function maskSecureValues(value: unknown): { masked: unknown; secret: boolean } {
  if (isSecureValue(value)) return { masked: ciphertextStandIn((value as { secure: string }).secure), secret: true };
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

function isMap(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? "a list" : `a ${typeof value}`;
}

function qualify(key: string): string {
  return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/**
 * Reads Pulumi.<stack>.yaml (or another file given by path) and merges the defaults declared in
 * Pulumi.yaml, exactly as the CLI does before it starts the program. `secure:` values stay encrypted.
 */
export function readStackConfig(projectDir: string, stack: string, stackFile?: string): StackConfigFile {
  const projectFile = readYamlFile(path.join(projectDir, "Pulumi.yaml")).value as {
    name: string;
    config?: Record<string, ProjectConfigDeclaration | string | number | boolean>;
  };
  if (projectFile.name !== PROJECT) throw new Error(`Pulumi.yaml names project "${projectFile.name}", expected "${PROJECT}"`);
  const file = stackFile ?? path.join(projectDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`No stack file ${file}: run pulumi stack init ${stack} or pass --config <file>`);
  const read = readYamlFile(file);
  const document = read.value ?? {};
  // The CLI refuses both too ("cannot unmarshal"); read on, they would come out as every key missing.
  if (!isMap(document)) throw new StackFileError([`${file}: must be a map with a config: key, as the CLI writes it (got ${kindOf(document)})`]);
  if (document.config !== undefined && document.config !== null && !isMap(document.config)) {
    throw new StackFileError([`${file}: config: must be a map of keys, as the CLI writes it (got ${kindOf(document.config)})`]);
  }
  // A misspelt `config:` would leave every key missing, and the list of them would never name the typo.
  const unknown = Object.keys(document).filter((key) => !STACK_FILE_KEYS.includes(key));
  if (unknown.length > 0) {
    throw new StackFileError(unknown.map((key) => `${file}: ${key}: not a key of a stack file (${STACK_FILE_KEYS.join(", ")})`));
  }
  const stackSettings = document as { config?: Record<string, unknown> };

  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const problems: string[] = [];
  for (const [key, declaration] of Object.entries(projectFile.config ?? {})) {
    const value = declaration !== null && typeof declaration === "object" ? declaration.default : declaration;
    if (value !== undefined) values[qualify(key)] = encode(value);
  }
  const declaredSecrets = new Set(
    Object.entries(projectFile.config ?? {})
      .filter(([, d]) => d !== null && typeof d === "object" && d.secret === true)
      .map(([key]) => qualify(key)),
  );
  const nodes = configNodes(read.document);
  const spelling = new Map<string, string>();
  for (const [key, value] of Object.entries(stackSettings.config ?? {})) {
    // `~:` or `"":` is no key to the CLI, and a report on it would name nothing.
    if (key.trim() === "") {
      problems.push(`${file}: config: an empty key; a config key is a name such as platform:logLevel`);
      continue;
    }
    const qualified = qualify(key);
    // `smtpPassword` and `platform:smtpPassword` are one key: the later would silently replace the earlier.
    const earlier = spelling.get(qualified);
    if (earlier !== undefined) problems.push(`${file}: ${qualified}: given twice, as ${earlier} and as ${key}; keep one`);
    spelling.set(qualified, key);
    // Like the CLI, a `secure:` value anywhere inside a key makes the whole key secret; its text is never
    // read, only its stand-in handed on.
    const { masked, secret } = maskSecureValues(value);
    // The program reads a secret key as one string: anything around its ciphertext (a plain-text neighbour
    // included) would be decrypted with it into one secret value nobody checks.
    if (secret && declaredSecrets.has(qualified) && !isSecureValue(value)) {
      problems.push(`${file}: ${qualified}: a secret must be exactly {secure: <ciphertext>}; set it again with pulumi config set --secret ${key.replace(/^[^:]*:/, "")} <value>`);
    }
    values[qualified] = secret ? encode(masked) : encodeAsWritten(qualified, masked, nodes.get(key), problems, file);
    if (secret) secretKeys.push(qualified);
  }
  if (problems.length > 0) throw new StackFileError(problems);
  return { values, secretKeys: secretKeys.sort() };
}
