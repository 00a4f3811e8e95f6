import { expect } from "chai";
import { recorder } from "../../plan/mocks";
import { runProgram } from "../../plan/run-program";
import { editJsonKey, engineConfig, programFailure, secretSentinel, STACKS, type StackName } from "../harness";

type Edit = (values: Record<string, string>, secretKeys: Set<string>) => void;

const TARGET = {
  staging: { account: "210987654321", context: "arn:aws:eks:eu-west-1:210987654321:cluster/staging-eu-west-1", cluster: "staging-eu-west-1" },
  production: { account: "123456789012", context: "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu-west-1", cluster: "prod-eu-west-1" },
} as const;
const other = (stack: StackName): StackName => (stack === "staging" ? "production" : "staging");
const NAME_44 = "orders-archive-reporting-eu-west-1-replica-2";
/** A password that passes for a config key's name (a lower-case letter, then letters and digits). */
const PASTED_PASSWORD = "hunter2SENTINEL7d41d8cd98f00";
const PEAK = "at their peak (both colours at full size with rolling-update surge, plus the gate and scale-down Jobs)";

/**
 * Bad stack files as the real CLI would hand them over (secrets decrypted), through the whole program, on
 * both stacks: each is refused with its exact message, no resource is registered, and no secret value
 * appears in the output.
 */
const cases: [string, Edit, (stack: StackName) => string[]][] = [
  ["no kubeconfig context", (v) => delete v["platform:kubeContext"], () => ["kubeContext: is required but not set"]],
  ["no AWS account", (v) => delete v["platform:awsAccountId"], () => ["awsAccountId: is required but not set"]],
  [
    "an AWS account id that lost its leading zero (YAML read it as a number)",
    (v) => (v["platform:awsAccountId"] = "12345678901"),
    () => ['awsAccountId: must be a 12-digit AWS account id, quoted in YAML (e.g. "012345678901") (got "12345678901")'],
  ],
  ["no AWS region", (v) => delete v["aws:region"], () => ["aws:region: is required but not set: pulumi config set aws:region <region>"]],
  [
    "default providers left enabled",
    (v) => delete v["pulumi:disable-default-providers"],
    () => ["pulumi:disable-default-providers: must list kubernetes and aws, so that no resource can fall back to the ambient kubeconfig or AWS credentials (got nothing)"],
  ],
  [
    "only the AWS default provider disabled",
    (v) => (v["pulumi:disable-default-providers"] = '["aws"]'),
    () => ['pulumi:disable-default-providers: must list kubernetes and aws, so that no resource can fall back to the ambient kubeconfig or AWS credentials (got ["aws"])'],
  ],
  [
    "the stack pointed at the other stack's cluster",
    (v) => (v["platform:kubeContext"] = TARGET[v["platform:environment"] === "staging" ? "production" : "staging"].context),
    (stack) => [
      `kubeContext: names an EKS cluster in account ${TARGET[other(stack)].account}, not awsAccountId ${TARGET[stack].account}, ` +
        `cluster ${TARGET[other(stack)].cluster}, not clusterName ${TARGET[stack].cluster} (got "${TARGET[other(stack)].context}")`,
    ],
  ],
  ...(["slackWebhookUrl", "smtpPassword", "pagerdutyRoutingKey", "sentryDsn", "apiDatabaseUrl"] as const).map(
    (key): [string, Edit, () => string[]] => [
      `${key} stored in plain text`,
      (_v, s) => s.delete(`platform:${key}`),
      () => [`${key}: is stored in plain text; set it again with pulumi config set --secret ${key} <value>`],
    ],
  ),
  [
    "a secret nested in an app's env",
    (v, s) => {
      editJsonKey<{ env: Record<string, string> }[]>(v, "platform:apps", (apps) => (apps[0].env = { ...apps[0].env, API_TOKEN: secretSentinel("nested") }));
      s.add("platform:apps");
    },
    () => [
      "apps: holds a secret value (a secure: entry), but the platform uses this key in plain text, where the secret would leak; store each secret in a key of its own (pulumi config set --secret <key> <value>) and reference it, e.g. from an app's secretEnv",
    ],
  ],
  [
    "a secret key misspelt, stored encrypted",
    (v, s) => {
      v["platform:pagerDutyRoutingKey"] = secretSentinel("pagerDutyRoutingKey");
      s.add("platform:pagerDutyRoutingKey");
    },
    () => ["pagerDutyRoutingKey: unknown key (check the spelling; Pulumi.yaml lists every key)"],
  ],
  [
    // The secret itself, pasted where its config key's name belongs.
    "a secret pasted into an app's secretEnv instead of its config key",
    (v) => editJsonKey<{ secretEnv: Record<string, unknown> }[]>(v, "platform:apps", (apps) => (apps[0].secretEnv.SENTRY_DSN = `https://${secretSentinel("dsn")}@sentry.io/1`)),
    () => ["apps[0].secretEnv.SENTRY_DSN: must be a Pulumi config key such as sentryDsn, or {secretsManager: {name, key}}"],
  ],
  [
    "a secret pasted into a cache's passwordConfigKey",
    (v) =>
      editJsonKey<{ passwordConfigKey?: string }[]>(v, "platform:caches", (caches) => (caches[0].passwordConfigKey = `${secretSentinel("redis")}!`)),
    () => ["caches[0].passwordConfigKey: must be a Pulumi config key such as redisSessionsPassword"],
  ],
  [
    // Letters and digits only, as the schema asks of a key's name: only Pulumi.yaml's declaration makes a name safe to quote.
    "a password of letters and digits pasted into an app's secretEnv",
    (v) => editJsonKey<{ secretEnv: Record<string, unknown> }[]>(v, "platform:apps", (apps) => (apps[0].secretEnv.SENTRY_DSN = PASTED_PASSWORD)),
    () => [
      "apps[0].secretEnv.SENTRY_DSN: names a secret's config key that is neither set nor declared in Pulumi.yaml; its name is not repeated here in case it is a pasted secret: store the secret with pulumi config set --secret <key> <value>, declare <key> with secret: true in Pulumi.yaml and name <key> here",
    ],
  ],
  [
    "a secret pasted into aws:region",
    (v) => (v["aws:region"] = secretSentinel("region")),
    () => ["aws:region: must be an AWS region such as eu-west-1 (the value is not repeated here, as it looks like no region)"],
  ],
  ["aws:region in capitals", (v) => (v["aws:region"] = "EU-WEST-1"), () => ['aws:region: must be an AWS region such as eu-west-1 (got "EU-WEST-1")']],
  [
    "app requests above its limits",
    (v, s) => {
      const [request, limit] = v["platform:environment"] === "staging" ? ["600m", "500m"] : ["1.5", "1"];
      editJsonKey<{ resources: { requests: { cpu: string }; limits: { cpu: string } } }[]>(v, "platform:apps", (apps) => {
        expect(apps[0].resources.limits.cpu).to.equal(limit);
        apps[0].resources.requests.cpu = request;
      });
    },
    (stack) => {
      const [request, limit] = stack === "staging" ? ["600m", "500m"] : ["1.5", "1"];
      return [`apps[0].resources.requests.cpu: must not exceed resources.limits.cpu ("${limit}"): the API server rejects a container whose request is above its limit (got "${request}")`];
    },
  ],
  [
    "Prometheus requests above its limits",
    (v) => editJsonKey<{ prometheus: { resources: { requests: { memory: string } } } }>(v, "platform:monitoring", (m) => (m.prometheus.resources.requests.memory = "64Gi")),
    (stack) => [
      `monitoring.prometheus.resources.requests.memory: must not exceed resources.limits.memory ("${stack === "staging" ? "3Gi" : "12Gi"}"): the API server rejects a container whose request is above its limit (got "64Gi")`,
    ],
  ],
  [
    "Prometheus limits above the monitoring namespace's LimitRange",
    (v) => editJsonKey<{ prometheus: { resources: { limits: { memory: string } } } }>(v, "platform:monitoring", (m) => (m.prometheus.resources.limits.memory = "40Gi")),
    (stack) => [
      `monitoring.prometheus.resources.limits.memory: is above the LimitRange maximum of namespace "monitoring" (namespaces[0].limitRange.maxLimit.memory: "${stack === "staging" ? "16Gi" : "32Gi"}"); the API server would reject every Prometheus pod (got "40Gi")`,
    ],
  ],
  [
    "Alloy limits above the node agents' LimitRange",
    (v) => editJsonKey<{ alloy: { resources: { limits: { cpu: string } } } }>(v, "platform:monitoring", (m) => (m.alloy.resources.limits.cpu = "3")),
    (stack) => [
      `monitoring.alloy.resources.limits.cpu: is above the LimitRange maximum of namespace "node-agents" (namespaces[7].limitRange.maxLimit.cpu: "${stack === "staging" ? "1" : "2"}"); the API server would reject every Alloy pod (got "3")`,
    ],
  ],
  [
    "the Gateway's Envoy proxies requesting more than their limits",
    (v) => editJsonKey<{ resources: { requests: { cpu: string } } }>(v, "platform:gateway", (g) => (g.resources.requests.cpu = "3")),
    (stack) => [
      `gateway.resources.requests.cpu: must not exceed resources.limits.cpu ("${stack === "staging" ? "500m" : "2"}"): the API server rejects a container whose request is above its limit (got "3")`,
    ],
  ],
  [
    "the Gateway's Envoy proxies limited above the gateway namespace's LimitRange",
    (v) => editJsonKey<{ resources: { limits: { memory: string } } }>(v, "platform:gateway", (g) => (g.resources.limits.memory = "6Gi")),
    (stack) => [
      `gateway.resources.limits.memory: is above the LimitRange maximum of namespace "gateway" (namespaces[3].limitRange.maxLimit.memory: "${stack === "staging" ? "2Gi" : "4Gi"}"); the API server would reject every Envoy proxy of the Gateway (got "6Gi")`,
    ],
  ],
  [
    "a LimitRange whose default request is above its default limit, and whose default limit is above its maximum",
    (v) =>
      editJsonKey<{ limitRange: Record<string, { cpu: string; memory: string }> }[]>(v, "platform:namespaces", (ns) => {
        ns[1].limitRange.defaultRequest.cpu = "3";
        ns[1].limitRange.defaultLimit.memory = "16Gi";
      }),
    (stack) => [
      `namespaces[1].limitRange.defaultRequest.cpu: must not exceed limitRange.defaultLimit.cpu ("${stack === "staging" ? "500m" : "1"}"): the API server rejects a LimitRange whose default request is above its default limit (got "3")`,
      `namespaces[1].limitRange.defaultLimit.memory: must not exceed limitRange.maxLimit.memory ("${stack === "staging" ? "4Gi" : "8Gi"}"): the API server rejects a LimitRange whose default limit is above its maximum (got "16Gi")`,
    ],
  ],
  [
    "app limits above the namespace's LimitRange",
    (v) => editJsonKey<{ resources: { limits: { memory: string } } }[]>(v, "platform:apps", (apps) => (apps[0].resources.limits.memory = "9Gi")),
    (stack) => [
      `apps[0].resources.limits.memory: is above the LimitRange maximum of namespace "apps" (namespaces[1].limitRange.maxLimit.memory: "${stack === "staging" ? "4Gi" : "8Gi"}"); the API server would reject every pod of the app (got "9Gi")`,
      // Each stack's quota is sized for its apps at the LimitRange maximum, so it cannot hold them above it either.
      `namespaces[1].quota.limitsMemory: cannot hold the apps of namespace "apps" ${PEAK}: they need ${stack === "staging" ? '36.13Gi memory of limits (api 36.13Gi) (got "16Gi")' : '72.06Gi memory of limits (api 72.06Gi) (got "64Gi")'}`,
    ],
  ],
  [
    "quota smaller than the apps' peak",
    (v) => editJsonKey<{ quota: { limitsCpu: string } }[]>(v, "platform:namespaces", (ns) => (ns[1].quota.limitsCpu = "2")),
    // Production: 2 colours × (3 replicas + 1 surge) × 1 CPU + the gate's 100m. Staging: 2 × (1 + 1) × 500m + gate + scale-down.
    (stack) => [`namespaces[1].quota.limitsCpu: cannot hold the apps of namespace "apps" ${PEAK}: they need ${stack === "staging" ? "2.2 CPU of limits (api 2.2)" : "8.1 CPU of limits (api 8.1)"} (got "2")`],
  ],
  [
    "Prometheus retention size at 85% of its volume",
    (v) => editJsonKey<{ prometheus: { retentionSize: string; storageSize: string } }>(v, "platform:monitoring", (m) => Object.assign(m.prometheus, { retentionSize: "85GB", storageSize: "100Gi" })),
    () => [],
  ],
  [
    "Prometheus retention size leaving its volume no room for compaction",
    // A tenth below the volume, as both stacks had it (90GB on 100Gi): 85% is the most that leaves compaction room.
    (v) => editJsonKey<{ prometheus: { retentionSize: string; storageSize: string } }>(v, "platform:monitoring", (m) => (m.prometheus.retentionSize = `${parseInt(m.prometheus.storageSize, 10) - 10}GB`)),
    (stack) => {
      const [volume, most, got] = stack === "staging" ? ["95Gi", "80GB", "85GB"] : ["110Gi", "93GB", "100GB"];
      return [
        `monitoring.prometheus.retentionSize: must be at most 85% of monitoring.prometheus.storageSize ("${volume}"), ${most}: a compaction writes its new block, ` +
          `up to a tenth of the retained data, before Prometheus deletes the blocks it replaces, so a fuller volume runs out of space first ` +
          `(Prometheus advises 80-85%); lower retentionSize or grow storageSize (got "${got}")`,
      ];
    },
  ],
  [
    "more than one Loki replica on filesystem storage",
    // The Loki chart's own check (validate.yaml) fails helm template: "Cannot run more than 1 Monolithic replica without an object storage backend".
    (v) => editJsonKey<{ loki: { storage: string; replicas: number } }>(v, "platform:monitoring", (m) => Object.assign(m.loki, { storage: "filesystem", replicas: 2 })),
    () => [
      "monitoring.loki.replicas: must be 1 with storage filesystem: each replica would keep its own logs on its own volume, and the Loki chart refuses " +
        "more than one replica without object storage; set storage s3 to run more (got 2)",
    ],
  ],
  [
    "several Loki replicas on S3",
    (v) => editJsonKey<{ loki: { storage: string; replicas: number } }>(v, "platform:monitoring", (m) => Object.assign(m.loki, { storage: "s3", replicas: 2 })),
    () => [],
  ],
  [
    "more Loki replicas than the cluster has nodes",
    // The Loki chart's required anti-affinity by hostname: the fourth pod would stay Pending on three nodes.
    (v) => {
      v["platform:maxNodes"] = "3";
      editJsonKey<{ loki: { storage: string; replicas: number } }>(v, "platform:monitoring", (m) => Object.assign(m.loki, { storage: "s3", replicas: 4 }));
    },
    () => ["monitoring.loki.replicas: the Loki chart places each replica on a node of its own (required pod anti-affinity), so 4 replicas need maxNodes of at least 4 (got maxNodes 3)"],
  ],
  [
    "a 44-character database name",
    (v) => editJsonKey<{ name: string }[]>(v, "platform:databases", (dbs) => (dbs[0].name = NAME_44)),
    // One report naming each name it makes too long and the longest that fits them all: 52 - "pg-restore-drill-".
    () => [
      `databases[0].name: makes the CronJob name "pg-backup-${NAME_44}" 54 characters long (at most 52) and the CronJob name "pg-restore-drill-${NAME_44}" 61 characters long (at most 52) and ` +
        `the Helm release name "postgres-exporter-${NAME_44}" 62 characters long (at most 53); a name of at most 35 characters fits (got "${NAME_44}")`,
    ],
  ],
  [
    "a 40-character app name",
    (v) => editJsonKey<{ name: string }[]>(v, "platform:apps", (apps) => (apps[0].name = "a".repeat(40))),
    // Only staging shrinks the idle colour (production keeps it warm), so only staging has the scale-down Job; its
    // name follows the idle colour, so both colours' count, whichever is active now (63 - "-scale-down-green-" - 10).
    (stack) =>
      stack === "staging"
        ? [
            `apps[0].name: makes the Job name "${"a".repeat(40)}-scale-down-green-SUFFIX" 68 characters long (at most 63) and the Job name "${"a".repeat(40)}-scale-down-blue-SUFFIX" 67 characters long (at most 63); ` +
              `a name of at most 35 characters fits (got "${"a".repeat(40)}")`,
          ]
        : [],
  ],
  [
    "a 36-character app name, whose Jobs fit with the active colour of today but not after a promotion",
    (v) => editJsonKey<{ name: string }[]>(v, "platform:apps", (apps) => (apps[0].name = "a".repeat(36))),
    (stack) =>
      stack === "staging"
        ? [`apps[0].name: makes the Job name "${"a".repeat(36)}-scale-down-green-SUFFIX" 64 characters long (at most 63); a name of at most 35 characters fits (got "${"a".repeat(36)}")`]
        : [],
  ],
  ...(["blue", "green"] as const).map((activeColor): [string, Edit, (stack: StackName) => string[]] => [
    `a 35-character app name with ${activeColor} active`,
    (v) =>
      editJsonKey<{ name: string; activeColor: string }[]>(v, "platform:apps", (apps) => {
        apps[0].name = "a".repeat(35);
        apps[0].activeColor = activeColor;
      }),
    () => [],
  ]),
  [
    "an image tag too long for a label value",
    (v) => editJsonKey<{ images: { green: string } }[]>(v, "platform:apps", (apps) => (apps[0].images.green = `ghcr.io/example/api:1.5.0-${"x".repeat(60)}`)),
    () => [
      `apps[0].images.green: makes the label app.kubernetes.io/version of Deployment api-green 66 characters long; at most 63 are allowed (got "ghcr.io/example/api:1.5.0-${"x".repeat(60)}")`,
    ],
  ],
  // The way in (issue #13): public hostnames, Secrets Manager references and the certificate issuer.
  [
    "an app hostname outside the stack's domain",
    (v) => editJsonKey<{ hostname: string }[]>(v, "platform:apps", (apps) => (apps[0].hostname = "api.example.org")),
    (stack) => [`apps[0].hostname: "api.example.org" is not under the stack's domain ${DOMAIN[stack]}`],
  ],
  [
    "two apps claiming one hostname",
    (v) => editJsonKey<Record<string, unknown>[]>(v, "platform:apps", (apps) => apps.push({ ...apps[0], name: "api2" })),
    (stack) => [
      `apps[1].hostname: "api.${DOMAIN[stack]}" is already the hostname of apps[0] (api); each public hostname routes to one app (got "api.${DOMAIN[stack]}")`,
    ],
  ],
  [
    "an app claiming Grafana's hostname",
    (v) => editJsonKey<{ hostname: string }[]>(v, "platform:apps", (apps) => (apps[0].hostname = `grafana.${apps[0].hostname.split(".").slice(1).join(".")}`)),
    (stack) => [`apps[0].hostname: "grafana.${DOMAIN[stack]}" is Grafana's hostname; each public hostname routes to one backend`],
  ],
  [
    "a Secrets Manager reference outside the stack's prefix",
    (v) => editJsonKey<{ secretEnv: Record<string, { secretsManager: { name: string } }> }[]>(v, "platform:apps", (apps) => (apps[0].secretEnv.PAYMENTS_API_KEY.secretsManager.name = "billing/shared/api")),
    (stack) => [
      `apps[0].secretEnv.PAYMENTS_API_KEY.secretsManager.name: "billing/shared/api" is outside the stack's Secrets Manager prefix (secretsManagerPrefix platform/${stack}): the External Secrets role reads platform/${stack}/* only`,
    ],
  ],
  [
    "the staging certificate issuer",
    (v) => (v["platform:certificateIssuer"] = "staging"),
    (stack) =>
      stack === "production"
        ? [`certificateIssuer: production must use the production issuer (Let's Encrypt's production ACME endpoint); staging certificates are trusted by no browser (got "staging")`]
        : [],
  ],
  [
    "no gateway namespace",
    (v) => editJsonKey<{ name: string }[]>(v, "platform:namespaces", (namespaces) => namespaces.splice(namespaces.findIndex((n) => n.name === "gateway"), 1)),
    () => ['namespaces: must include the platform namespace "gateway" (Envoy Gateway, its proxies and the stack\'s Gateway), with its quota and limits'],
  ],
  [
    "no namespace for the node agents",
    (v) => editJsonKey<{ name: string }[]>(v, "platform:namespaces", (namespaces) => namespaces.splice(namespaces.findIndex((n) => n.name === "node-agents"), 1)),
    () => ['nodeAgentsNamespace: "node-agents" is not one of the configured namespaces (monitoring, apps, backups, gateway, cert-manager, external-dns, external-secrets)'],
  ],
  [
    // PSA would refuse every node-exporter and Alloy pod: the DaemonSets would apply and stay empty.
    "the node agents' namespace enforcing restricted",
    (v) => editJsonKey<{ name: string; podSecurity: string }[]>(v, "platform:namespaces", (namespaces) => (namespaces.find((n) => n.name === "node-agents")!.podSecurity = "restricted")),
    () => [
      'namespaces[7].podSecurity: must be "privileged" in the node agents\' namespace (nodeAgentsNamespace): node-exporter uses the host\'s network and PID namespaces and mounts /, /proc and /sys, Alloy mounts /var/log (got "restricted")',
    ],
  ],
  [
    "the node agents put back into the monitoring namespace",
    (v) => (v["platform:nodeAgentsNamespace"] = "monitoring"),
    () => ['nodeAgentsNamespace: must not be the monitoring namespace: the node agents need host access (PSA privileged), which the monitoring workloads must not have (got "monitoring")'],
  ],
  [
    // Grafana's hostname, grafana.<domain>, would be 254 characters: the Gateway's listener and the HTTPRoute refuse it.
    "a 246-character domain",
    (v) => {
      v["platform:domain"] = domainOf(246);
      editJsonKey<{ hostname: string }[]>(v, "platform:apps", (apps) => (apps[0].hostname = domainOf(246)));
    },
    () => [
      `domain: must be at most 245 characters: Grafana's hostname grafana.<domain> is built under it, and the API server refuses a Gateway listener or HTTPRoute hostname over 253 characters (got "${domainOf(246).slice(0, 56)}...)`,
    ],
  ],
  [
    "a 245-character domain",
    (v) => {
      v["platform:domain"] = domainOf(245);
      editJsonKey<{ hostname: string }[]>(v, "platform:apps", (apps) => (apps[0].hostname = domainOf(245)));
    },
    () => [],
  ],
  [
    // 63 apps with a hostname, plus Grafana's and the plain-HTTP listener: 65 listeners.
    "more public hostnames than one Gateway has listeners for",
    (v) => {
      editJsonKey<Record<string, unknown>[]>(v, "platform:apps", (apps) => {
        const small = { requests: { cpu: "1m", memory: "1Mi" }, limits: { cpu: "1m", memory: "1Mi" } };
        const domain = String(apps[0].hostname).replace(/^api\./, "");
        for (let n = 1; n <= 62; n++) apps.push({ ...apps[0], name: `app${n}`, hostname: `app${n}.${domain}`, secretEnv: {}, resources: small });
      });
      editJsonKey<{ quota: Record<string, string | number> }[]>(v, "platform:namespaces", (ns) => Object.assign(ns[1].quota, { pods: 2000, requestsCpu: "100", limitsCpu: "100", requestsMemory: "100Gi", limitsMemory: "100Gi" }));
    },
    () => [
      "apps[62].hostname: is app hostname number 63, more than one Gateway holds: it gives each hostname an HTTPS listener of its own, beside its plain-HTTP listener and Grafana's, " +
        "and the API server refuses a Gateway with more than 64 listeners (this stack would make 65); at most 62 apps may have a hostname (got 63)",
    ],
  ],
  [
    // A valid semantic version and image tag, but the API server refuses a label value that ends in "-".
    "an image tag whose pre-release ends in a hyphen",
    (v) => editJsonKey<{ images: { green: string } }[]>(v, "platform:apps", (apps) => (apps[0].images.green = "ghcr.io/example/api:1.5.0-rc-")),
    () => [
      'apps[0].images.green: makes the label app.kubernetes.io/version "1.5.0-rc-", which the API server refuses: a label value starts and ends with a letter or digit (got "ghcr.io/example/api:1.5.0-rc-")',
    ],
  ],
  [
    "a hosted zone id that is not one",
    (v) => (v["platform:hostedZoneId"] = "example.com"),
    () => ['hostedZoneId: must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got "example.com")'],
  ],
];

/** A DNS name of `length` characters: 61-character labels, then one that makes up the rest, under .com. */
function domainOf(length: number): string {
  const labels = ["a".repeat(61), "a".repeat(61), "a".repeat(61)];
  return [...labels, `${"b".repeat(length - labels.join(".").length - ".com".length - 1)}.com`].join(".");
}

const DOMAIN = { staging: "staging.platform.example.com", production: "platform.example.com" } as const;

/** The problem lines of a configuration error, without the header. */
function problemLines(message: string): string[] {
  return message
    .split("\n")
    .filter((line) => line.startsWith("  - "))
    .map((line) => line.slice(4));
}

describe("a stack file the cluster or the cloud would refuse is refused before anything is created", () => {
  for (const [kind, edit, expectedFor] of cases) {
    for (const stack of STACKS) {
      const expected = expectedFor(stack);
      it(`${kind} (${stack})${expected.length === 0 ? ": accepted" : ""}`, async () => {
        if (expected.length === 0) {
          await runProgram(stack, { config: engineConfig(stack, edit) });
          expect(recorder.list().length, "this stack accepts the change").to.be.greaterThan(100);
          return;
        }
        const { message } = await programFailure(stack, { config: engineConfig(stack, edit) });
        expect(message).to.match(new RegExp(`^Invalid configuration for stack "${stack}" \\(${expected.length} problems?\\):\\n`));
        // A generated Job name carries a content hash; compare everything around it.
        expect(problemLines(message).map((line) => line.replace(/-[0-9a-f]{10}" /g, '-SUFFIX" '))).to.deep.equal(expected);
        expect(recorder.list(), "resources registered").to.deep.equal([]);
        expect(message, "a secret value was printed").to.not.include("SENTINEL-").and.not.include(PASTED_PASSWORD);
      });
    }
  }
});
