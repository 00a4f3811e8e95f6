import * as fs from "node:fs";
import * as path from "node:path";
import { REDACTED, ROUTING_ANNOTATION } from "../components/alerting/alertmanager/config-secret";
import { ALERTMANAGER_CONFIG_SECRET } from "../components/core/alertmanager-config-secret";
import { toYaml } from "../components/core/yaml";
import { textDigest, writerVersion } from "./chart-manifest-texts";
import { manifestYaml } from "./manifest-yaml";
import type { RecordedResource } from "./mocks";

/**
 * The plan's alerting in the files Prometheus' and Alertmanager's own tools read, so `promtool check rules`,
 * `promtool test rules`, `amtool check-config` and `amtool config routes test` run on what the plan would
 * deploy, nothing extracted by hand: each PrometheusRule's `spec.groups` as a plain rule file, and the routing
 * annotation of Alertmanager's config Secret (components/alerting/alertmanager/config-secret.ts) as
 * alertmanager.yaml. Both are written from the plan record, like the manifests (plan/render.ts writePlan).
 */

export const PROMETHEUS_RULES_DIR = "prometheus-rules";
export const ALERTMANAGER_CONFIG_FILE = path.join("alertmanager", "alertmanager.yaml");

/**
 * What stands for each credential in the written alertmanager.yaml: the token Alertmanager itself writes for a
 * secret when it prints its configuration, and which its loader accepts back as a set value in the fields
 * the platform fills with a credential: `slack_api_url` (a SecretURL, where any other text must be a URL),
 * `smtp_auth_password` and PagerDuty's `routing_key` (plain Secrets); v0.34's config/common/url.go and
 * notify/pagerduty/config.go, as .ci/build-tools builds amtool, and every release since 0.21.
 */
export const ALERTMANAGER_SECRET_TOKEN = "<secret>";

/**
 * What stands for the heartbeat webhook's `url`: Alertmanager 0.26 and later take the token there too (a
 * SecretURL, since 0.31 a SecretTemplateURL), but 0.25 (Debian's amtool, which the tests fall back to) reads a
 * plain URL and refuses it ("unsupported scheme"). A URL under the reserved .invalid domain validates in
 * every release, says what it is, and never reaches anyone.
 */
export const ALERTMANAGER_SECRET_URL = "https://placeholder.invalid/secret";

/** Where Alertmanager reads a credential, in the integrations the platform can configure: each holds a placeholder. */
const GLOBAL_CREDENTIALS = ["slack_api_url", "smtp_auth_password"];
const RECEIVER_CREDENTIALS: Readonly<Record<string, readonly string[]>> = {
  slack_configs: ["api_url"],
  email_configs: ["auth_password"],
  pagerduty_configs: ["routing_key", "service_key"],
  webhook_configs: ["url"],
};

/** The placeholder of a REDACTED credential under `key`. */
const placeholderFor = (key: string) => (key === "url" ? ALERTMANAGER_SECRET_URL : ALERTMANAGER_SECRET_TOKEN);

export function isPrometheusRule(resource: RecordedResource): boolean {
  return resource.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && resource.inputs.kind === "PrometheusRule";
}

/** Relative path of a PrometheusRule's rule file: prometheus-rules/<namespace>-<name>.yaml. */
export function prometheusRuleFilePath(resource: RecordedResource): string {
  const metadata = (resource.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  return path.join(PROMETHEUS_RULES_DIR, `${metadata.namespace ?? "_cluster"}-${metadata.name ?? resource.name}.yaml`);
}

let ownSource: string | undefined;

/**
 * A PrometheusRule's rule file, `groups:` exactly as its spec holds them, under a comment naming the object;
 * `ordered` is its inputs in canonical key order (writePlan has them). The digest is that of the data and of
 * the code that writes it, so an unchanged rule file's YAML is not written again only to be found unchanged.
 */
export function prometheusRuleFile(resource: RecordedResource, ordered: unknown): { digest: string; text: () => string } {
  const metadata = (resource.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  // The CRD lets spec.groups be left out: a rule file of no groups, as Prometheus loads that object.
  const groups = (resource.inputs.spec as { groups?: unknown } | undefined)?.groups ?? [];
  const orderedGroups = (ordered as { spec?: { groups?: unknown } }).spec?.groups ?? [];
  const from = resource.renderedFrom;
  const header =
    `# The rule groups of PrometheusRule ${metadata.namespace ?? "_cluster"}/${metadata.name ?? resource.name}` +
    `${from ? ` (Helm release ${from.namespace}/${from.release}, chart ${from.chart} ${from.version})` : ""}: promtool check rules <this file>\n`;
  ownSource ??= textDigest(fs.readFileSync(path.join(__dirname, "alerting-files.ts"), "utf8"));
  return {
    digest: textDigest(`${writerVersion()}\0${ownSource}\0${header}\0${JSON.stringify(orderedGroups)}`),
    text: () => header + manifestYaml({ groups }, { groups: orderedGroups }),
  };
}

/**
 * alertmanager.yaml as Alertmanager reads it, every credential a placeholder, from the routing annotation of the
 * plan's Alertmanager config Secret; undefined when the plan has no such Secret. The annotation is the whole
 * configuration (route, receivers with their inline templates, inhibit rules) with each credential REDACTED; the
 * Secret's payload, the only place credentials go, is never read (the plan holds it masked anyway). Refuses an
 * annotation that is secret itself or any credential field that holds something else than the token.
 */
export function alertmanagerConfigFile(resources: readonly RecordedResource[]): string | undefined {
  const secrets = resources.filter((r) => r.inputs.kind === "Secret" && (r.inputs.metadata as { name?: string } | undefined)?.name === ALERTMANAGER_CONFIG_SECRET.name);
  const annotated = secrets.filter((r) => ROUTING_ANNOTATION in ((r.inputs.metadata as { annotations?: object }).annotations ?? {}));
  if (annotated.length === 0) return undefined;
  if (annotated.length > 1) throw new Error(`${annotated.map((r) => r.urn).join(" and ")} both hold Alertmanager's routing (${ROUTING_ANNOTATION}): the plan writes one alertmanager.yaml`);
  const [secret] = annotated;
  const where = `${secret.urn}: annotation ${ROUTING_ANNOTATION}`;
  if (secret.secretPaths.some((p) => p === "metadata" || p.startsWith("metadata.annotations"))) {
    throw new Error(`${where} is secret, so it is no routing without credentials; alertmanager.yaml is not written`);
  }
  const routing = (secret.inputs.metadata as { annotations: Record<string, unknown> }).annotations[ROUTING_ANNOTATION];
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(String(routing), (key, value) => (value === REDACTED ? placeholderFor(key) : value)) as Record<string, unknown>;
  } catch {
    // The text is not quoted: whatever it holds stays out of the error.
    throw new Error(`${where} is not JSON; alertmanager.yaml is not written`);
  }
  for (const field of credentialFields(config)) {
    if (field.value !== placeholderFor(field.key)) throw new Error(`${where}: ${field.path} holds a value instead of ${REDACTED}; alertmanager.yaml is not written`);
  }
  const header =
    `# Alertmanager's configuration in this plan: the routing of Secret ${(secret.inputs.metadata as { namespace?: string }).namespace}/${ALERTMANAGER_CONFIG_SECRET.name}, ` +
    `every credential ${ALERTMANAGER_SECRET_TOKEN} (Alertmanager reads it as one that is set) or a URL under placeholder.invalid.\n` +
    "# For amtool check-config <this file> and amtool config routes test --config.file=<this file> <label=value>...; not deployable.\n";
  return header + toYaml(config);
}

/** Each credential field present in `config`, with its dotted path. */
function credentialFields(config: Record<string, unknown>): { key: string; path: string; value: unknown }[] {
  const fields: { key: string; path: string; value: unknown }[] = [];
  const collect = (owner: unknown, where: string, keys: readonly string[]) => {
    if (owner === null || typeof owner !== "object") return;
    for (const key of keys) if (key in owner) fields.push({ key, path: `${where}.${key}`, value: (owner as Record<string, unknown>)[key] });
  };
  collect(config.global, "global", GLOBAL_CREDENTIALS);
  const receivers = Array.isArray(config.receivers) ? (config.receivers as Record<string, unknown>[]) : [];
  receivers.forEach((receiver, i) => {
    for (const [list, keys] of Object.entries(RECEIVER_CREDENTIALS)) {
      const configs = receiver?.[list];
      if (Array.isArray(configs)) configs.forEach((c, j) => collect(c, `receivers[${i}].${list}[${j}]`, keys));
    }
  });
  return fields;
}
