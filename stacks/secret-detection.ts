/**
 * What looks like a secret: by the name it is stored under, and by its own shape. Pure string logic, read (and
 * tuned) in one place by both guards that use it: the stack file's validation refuses a secret in an app's plain
 * env before anything is planned (apps-schema.ts), and the policy pack's no-plaintext-secrets refuses one in
 * whatever the program registers. It imports nothing, so the policy pack may import it without taking the
 * program along (tests/structure/import-graph.spec.ts).
 */

/** The mock runtime's stand-in for a Pulumi secret (plan/mocks.ts SECRET_PLACEHOLDER). */
export const MASKED_SECRET = "[secret]";

/** Hex digits of a ciphertext's digest that name its stand-in: enough to tell a rotated secret from the old one. */
const STAND_IN_DIGEST_DIGITS = 12;
const STAND_IN = new RegExp(`^\\[secret [0-9a-f]{${STAND_IN_DIGEST_DIGITS}}\\]$`);

/** The offline plan's stand-in for an encrypted config value it does not decrypt (plan/stack-file.ts), by a hex digest of its ciphertext. */
export const secretStandIn = (hexDigest: string) => `[secret ${hexDigest.slice(0, STAND_IN_DIGEST_DIGITS)}]`;

/** A value that is a Pulumi secret in the plan: masked by the mock runtime, or an undecrypted config value's stand-in. */
export function isMaskedSecret(value: string): boolean {
  return value === MASKED_SECRET || STAND_IN.test(value);
}

/** Last words that make a name a secret on their own. */
const SECRET_WORDS = new Set([
  "password", "passwd", "passphrase", "secret", "token", "apikey", "dsn", "credential", "credentials", "webhook",
  "secretkey", "accesskey", "privatekey",
]);

/** Words before "key" that make it key material (api key, routing key) rather than the name of a key. */
const KEY_MATERIAL = new Set(["api", "secret", "access", "private", "routing", "service", "signing", "encryption", "license", "integration", "master", "client", "auth"]);

/**
 * Words before "secret" that make it secret material (clientSecret, cookieSecret). Otherwise a name ending in
 * "Secret" is, in chart values, the name of a Kubernetes Secret to read (existingSecret, configSecret, tlsSecret).
 */
const SECRET_MATERIAL = new Set(["client", "jwt", "shared", "cookie", "session", "signing", "webhook", "api", "app", "hmac", "encryption", "master", "oauth", "auth", "bearer", "private", "access"]);

/** Last words that make a name a pointer to a secret or a setting about one (passwordFile, secretName, tokenEnabled). */
const REFERENCE_WORDS = new Set(["file", "path", "ref", "name", "names", "enabled", "create", "mode", "type", "length", "configs", "id"]);

/** `slackWebhookURL`, `SLACK_WEBHOOK_URL`, `slack-webhook.url` → ["slack", "webhook", "url"]. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Whether a key or variable name says its value is a secret (`adminPassword`, `ROUTING_KEY`, `PGPASSWORD`, `clientSecret`; not `passwordKey`, `configSecret`). */
export function isSecretName(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1];
  const previous = w[w.length - 2];
  if (last === undefined) return false;
  if (last === "url" || last === "uri") return w.includes("webhook");
  if (REFERENCE_WORDS.has(last)) return false;
  if (last === "key") return previous !== undefined && KEY_MATERIAL.has(previous);
  if (last === "secret") return previous === undefined || SECRET_MATERIAL.has(previous);
  // Run-together names count too: PGPASSWORD, authtoken, SENTRYDSN.
  return [...SECRET_WORDS].some((word) => last.endsWith(word));
}

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/https:\/\/hooks\.slack\.com\/(services|workflows|triggers)\//, "Slack webhook URL"],
  [/https:\/\/(discord|discordapp)\.com\/api\/webhooks\//, "Discord webhook URL"],
  [/https:\/\/[a-z0-9-]+\.webhook\.office\.com\//, "Microsoft Teams webhook URL"],
  [/[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i, "URL with an embedded password"],
  [/https?:\/\/[0-9a-f]{32}@[a-z0-9.-]+\/\d+/i, "Sentry DSN"],
  [/\b(AKIA|ASIA)[A-Z0-9]{16}\b/, "AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "private key"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "Slack token"],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, "GitHub token"],
];

/** The kind of secret a value visibly contains, or undefined. */
export function secretPattern(value: string): string | undefined {
  return PATTERNS.find(([pattern]) => pattern.test(value))?.[1];
}

/** `$(DB_PASSWORD)` / `${DB_PASSWORD}`: a reference to another variable, not the secret itself. */
export function isVariableReference(value: string): boolean {
  return /^\$(\([A-Za-z_][A-Za-z0-9_]*\)|\{[A-Za-z_][A-Za-z0-9_]*\})$/.test(value);
}

/** Why a string stored under a name is a secret in plain text: the kind of secret it visibly contains, or its name. */
export type PlainSecret = { readonly kind: "pattern"; readonly pattern: string } | { readonly kind: "name" };

/**
 * Whether `value`, stored under `name`, is a secret in plain text: it visibly contains one (a webhook URL, a
 * token), or its name says it is one and it holds a literal (not empty, not masked, not a `$(VAR)` reference).
 */
export function plainSecret(name: string, value: string): PlainSecret | undefined {
  const pattern = secretPattern(value);
  if (pattern) return { kind: "pattern", pattern };
  if (value !== "" && !isMaskedSecret(value) && !isVariableReference(value) && isSecretName(name)) return { kind: "name" };
  return undefined;
}
