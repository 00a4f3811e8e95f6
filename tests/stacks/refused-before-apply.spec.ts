import { expect } from "chai";
import { recorder } from "../../plan/mocks";
import { runProgram } from "../../plan/run-program";
import { engineConfig, secretSentinel, type StackName } from "../harness";

type Edit = (values: Record<string, string>, secretKeys: Set<string>) => void;

/** Edits a JSON-valued key of the stack (the engine passes objects JSON-encoded). */
function editJson<T>(key: string, change: (value: T) => void): Edit {
  return (values) => {
    const value = JSON.parse(values[`platform:${key}`]) as T;
    change(value);
    values[`platform:${key}`] = JSON.stringify(value);
  };
}

const STAGING_CONTEXT = "arn:aws:eks:eu-west-1:210987654321:cluster/staging-eu-west-1";
const NAME_44 = "orders-archive-reporting-eu-west-1-replica-2";

/**
 * Bad stack files as the real CLI would hand them over (secrets decrypted), through the whole program: each
 * is refused with its exact message, no resource is registered, and no secret value appears in the output.
 */
const cases: [string, StackName, Edit, string[]][] = [
  ["no kubeconfig context", "staging", (v) => delete v["platform:kubeContext"], ["kubeContext: is required but not set"]],
  ["no AWS account", "production", (v) => delete v["platform:awsAccountId"], ["awsAccountId: is required but not set"]],
  [
    "an AWS account id YAML read as a number",
    "production",
    (v) => (v["platform:awsAccountId"] = "12345678901"),
    ['awsAccountId: must be a 12-digit AWS account id, quoted in YAML (e.g. "012345678901") (got "12345678901")'],
  ],
  ["no AWS region", "staging", (v) => delete v["aws:region"], ["aws:region: is required but not set: pulumi config set aws:region <region>"]],
  [
    "default providers left enabled",
    "production",
    (v) => delete v["pulumi:disable-default-providers"],
    ["pulumi:disable-default-providers: must list kubernetes and aws, so that no resource can fall back to the ambient kubeconfig or AWS credentials (got nothing)"],
  ],
  [
    "only the AWS default provider disabled",
    "staging",
    (v) => (v["pulumi:disable-default-providers"] = '["aws"]'),
    ['pulumi:disable-default-providers: must list kubernetes and aws, so that no resource can fall back to the ambient kubeconfig or AWS credentials (got ["aws"])'],
  ],
  [
    "production pointed at the staging cluster",
    "production",
    (v) => (v["platform:kubeContext"] = STAGING_CONTEXT),
    [
      `kubeContext: names an EKS cluster in account 210987654321, not awsAccountId 123456789012, cluster staging-eu-west-1, not clusterName prod-eu-west-1 (got "${STAGING_CONTEXT}")`,
    ],
  ],
  ...(["slackWebhookUrl", "smtpPassword", "pagerdutyRoutingKey", "sentryDsn", "apiDatabaseUrl"] as const).map(
    (key): [string, StackName, Edit, string[]] => [
      `${key} stored in plain text`,
      "staging",
      (_v, s) => s.delete(`platform:${key}`),
      [`${key}: is stored in plain text; set it again with pulumi config set --secret ${key} <value>`],
    ],
  ),
  [
    "a secret nested in an app's env",
    "production",
    (v, s) => {
      editJson<{ env: Record<string, string> }[]>("apps", (apps) => (apps[0].env.API_TOKEN = secretSentinel("nested")))(v, s);
      s.add("platform:apps");
    },
    [
      "apps: holds a secret value (a secure: entry), but the platform uses this key in plain text, where the secret would leak; store each secret in a key of its own (pulumi config set --secret <key> <value>) and reference it, e.g. from an app's secretEnv",
    ],
  ],
  [
    "app requests above its limits",
    "production",
    editJson<{ resources: { requests: { cpu: string } } }[]>("apps", (apps) => (apps[0].resources.requests.cpu = "1.5")),
    ['apps[0].resources.requests.cpu: must not exceed resources.limits.cpu ("1"): the API server rejects a container whose request is above its limit (got "1.5")'],
  ],
  [
    "Prometheus requests above its limits",
    "staging",
    editJson<{ prometheus: { resources: { requests: { memory: string } } } }>("monitoring", (m) => (m.prometheus.resources.requests.memory = "64Gi")),
    ['monitoring.prometheus.resources.requests.memory: must not exceed resources.limits.memory ("3Gi"): the API server rejects a container whose request is above its limit (got "64Gi")'],
  ],
  [
    "app limits above the namespace's LimitRange",
    "staging",
    editJson<{ resources: { limits: { memory: string } } }[]>("apps", (apps) => (apps[0].resources.limits.memory = "16Gi")),
    [
      'apps[0].resources.limits.memory: is above the LimitRange maximum of namespace "apps" (namespaces[1].limitRange.maxLimit.memory: "4Gi"); the API server would reject every pod of the app (got "16Gi")',
      // Two colours of one pod each, each with a surge pod, at 16Gi: the quota cannot hold it either.
      'namespaces[1].quota.limitsMemory: cannot hold the apps of namespace "apps" at their peak (both colours at full size with rolling-update surge, plus the gate and scale-down Jobs): they need 64.13Gi memory of limits (api 64.13Gi) (got "16Gi")',
    ],
  ],
  [
    "quota smaller than the app's peak",
    "production",
    editJson<{ quota: { limitsCpu: string } }[]>("namespaces", (ns) => (ns[1].quota.limitsCpu = "8")),
    [
      'namespaces[1].quota.limitsCpu: cannot hold the apps of namespace "apps" at their peak (both colours at full size with rolling-update surge, plus the gate and scale-down Jobs): they need 8.1 CPU of limits (api 8.1) (got "8")',
    ],
  ],
  [
    "Prometheus retention size not below its volume",
    "staging",
    editJson<{ prometheus: { retentionSize: string } }>("monitoring", (m) => (m.prometheus.retentionSize = "20GB")),
    ['monitoring.prometheus.retentionSize: must be below monitoring.prometheus.storageSize ("20Gi"), or the volume fills up before Prometheus deletes old blocks (got "20GB")'],
  ],
  [
    "a 44-character database name",
    "production",
    editJson<{ name: string }[]>("databases", (dbs) => (dbs[0].name = NAME_44)),
    [
      `databases[0].name: makes the CronJob name "pg-backup-${NAME_44}" 54 characters long; at most 52 are allowed (got "${NAME_44}")`,
      `databases[0].name: makes the CronJob name "pg-restore-drill-${NAME_44}" 61 characters long; at most 52 are allowed (got "${NAME_44}")`,
      `databases[0].name: makes the Helm release name "postgres-exporter-${NAME_44}" 62 characters long; at most 53 are allowed (got "${NAME_44}")`,
    ],
  ],
  [
    "an app name too long for its scale-down Job",
    "staging",
    editJson<{ name: string }[]>("apps", (apps) => (apps[0].name = "a".repeat(40))),
    [`apps[0].name: makes the Job name "${"a".repeat(40)}-scale-down-blue-SUFFIX" 67 characters long; at most 63 are allowed (got "${"a".repeat(40)}")`],
  ],
  [
    "an image tag too long for a label value",
    "production",
    editJson<{ images: { green: string } }[]>("apps", (apps) => (apps[0].images.green = `ghcr.io/example/api:1.5.0-${"x".repeat(60)}`)),
    [
      `apps[0].images.green: makes the label app.kubernetes.io/version of Deployment api-green 66 characters long; at most 63 are allowed (got "ghcr.io/example/api:1.5.0-${"x".repeat(60)}")`,
    ],
  ],
];

/** The problem lines of a configuration error, without the header. */
function problemLines(message: string): string[] {
  return message
    .split("\n")
    .filter((line) => line.startsWith("  - "))
    .map((line) => line.slice(4));
}

describe("a stack file the cluster or the cloud would refuse is refused before anything is created", () => {
  for (const [kind, stack, edit, expected] of cases) {
    it(`${kind} (${stack})`, async () => {
      let error: Error | undefined;
      try {
        await runProgram(stack, { config: engineConfig(stack, edit) });
      } catch (err) {
        error = err as Error;
      }
      expect(error, "the program should refuse this stack").to.be.instanceOf(Error);
      const message = error!.message;
      expect(message).to.match(new RegExp(`^Invalid configuration for stack "${stack}" \\(${expected.length} problems?\\):\\n`));
      // A generated Job name carries a content hash; compare everything around it.
      expect(problemLines(message).map((line) => line.replace(/-[0-9a-f]{10}" /, '-SUFFIX" '))).to.deep.equal(expected);
      expect(recorder.list(), "resources registered").to.deep.equal([]);
      expect(message, "a secret value was printed").to.not.include("SENTINEL-");
    });
  }
});
