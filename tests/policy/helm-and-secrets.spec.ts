import { expect } from "chai";
import { isSecretName, secretPattern } from "../../stacks/secret-detection";
import { deployment, type FixtureResource, goodContainer, messagesOf } from "./fixtures";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART = "kubernetes:helm.sh/v4:Chart";

const helm = (type: string, name: string, inputs: Record<string, unknown>): FixtureResource => ({
  type,
  name: `${name}-helm`,
  custom: type === RELEASE,
  inputs: { name, namespace: "monitoring", ...inputs },
});

const configMap = (data: Record<string, string>): FixtureResource => ({
  type: "kubernetes:core/v1:ConfigMap",
  name: "settings-cm",
  inputs: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "apps" }, data },
});

const SLACK = "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXX";

describe("policy: Helm and secrets", () => {
  describe("helm-chart-pinned", () => {
    it("passes exact versions from https and oci repositories, and charts in this repository", async () => {
      const resources = [
        helm(RELEASE, "loki", { chart: "loki", version: "6.16.0", repositoryOpts: { repo: "https://grafana.github.io/helm-charts" } }),
        helm(CHART, "app", { chart: "oci://ghcr.io/example/charts/app", version: "v1.2.3-rc.1" }),
        helm(CHART, "local", { chart: "./charts/local" }),
      ];
      expect(await messagesOf("helm-chart-pinned", resources)).to.deep.equal([]);
    });

    it("reports a missing or ranged version, a missing repository and a plain-http repository", async () => {
      const resources = [
        helm(RELEASE, "loki", { chart: "loki", repositoryOpts: { repo: "http://charts.example.com" } }),
        helm(CHART, "web", { chart: "web", version: "^6.0.0" }),
        helm(CHART, "db", { chart: "bitnami/postgresql", version: "16.x" }),
      ];
      expect(await messagesOf("helm-chart-pinned", resources)).to.deep.equal([
        'Helm release monitoring/loki: chart "loki" has no version; pin an exact chart version such as 1.2.3',
        'Helm release monitoring/loki: repository "http://charts.example.com" is neither https:// nor oci://; charts must come over TLS',
        'Helm chart monitoring/web: chart "web" version "^6.0.0" is not an exact version; pin one such as 1.2.3',
        `Helm chart monitoring/web: chart "web" names no repository; set repositoryOpts.repo to the chart repository's URL`,
        'Helm chart monitoring/db: chart "bitnami/postgresql" version "16.x" is not an exact version; pin one such as 1.2.3',
        `Helm chart monitoring/db: chart "bitnami/postgresql" names no repository; set repositoryOpts.repo to the chart repository's URL`,
      ]);
    });
  });

  describe("no-plaintext-secrets", () => {
    it("passes references to secrets, masked Pulumi secrets in Helm values and non-secret settings", async () => {
      const env = [
        { name: "LOG_LEVEL", value: "INFO" },
        { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
        { name: "DB_PASSWORD", value: "$(PGPASSWORD)" },
        { name: "BACKUP_KMS_KEY_ID", value: "arn:aws:kms:eu-west-1:123456789012:key/abc" },
        { name: "PUSHGATEWAY_URL", value: "http://pushgateway.monitoring.svc:9091" },
      ];
      const resources = [
        configMap({ LOG_LEVEL: "INFO", passwordFile: "/etc/db/password", API_URL: "https://api.example.com/v1" }),
        deployment("api", { containers: [{ ...goodContainer(), env }] }),
        helm(RELEASE, "kube-prometheus-stack", {
          chart: "kube-prometheus-stack",
          values: {
            grafana: { admin: { existingSecret: "grafana-admin", passwordKey: "admin-password", userKey: "admin-user" }, adminPassword: "[secret]" },
            alertmanager: { config: { receivers: [{ name: "oncall", pagerduty_configs: [{ routing_key_file: "/etc/alertmanager/secrets/pd/key" }] }] } },
            loki: { auth_enabled: false, url: "http://loki-gateway.monitoring.svc.cluster.local:80" },
          },
        }),
      ];
      expect(await messagesOf("no-plaintext-secrets", resources)).to.deep.equal([]);
    });

    it("reports ConfigMap entries: webhook URLs, secret-named literals and Pulumi secrets stored in plain text", async () => {
      // endpoint: the offline plan's stand-in for an undecrypted config secret (plan/stack-file.ts), under a plain name.
      const resources = [configMap({ SLACK_WEBHOOK_URL: SLACK, password: "hunter2", token: "[secret]", endpoint: "[secret 0123456789ab]" })];
      expect(await messagesOf("no-plaintext-secrets", resources)).to.deep.equal([
        "ConfigMap apps/settings: data.SLACK_WEBHOOK_URL contains a Slack webhook URL in plain text; reference a Kubernetes Secret instead",
        "ConfigMap apps/settings: data.password looks like a secret and holds a literal value; reference a Kubernetes Secret instead",
        "ConfigMap apps/settings: data.token holds a Pulumi secret, which Kubernetes stores here in plain text; put it in a Secret and reference it",
        "ConfigMap apps/settings: data.endpoint holds a Pulumi secret, which Kubernetes stores here in plain text; put it in a Secret and reference it",
      ]);
    });

    it("reports literal secrets in container env values", async () => {
      const env = [
        { name: "PGPASSWORD", value: "hunter2" },
        { name: "DATABASE_URL", value: "postgres://app:hunter2@db.internal:5432/orders" },
        { name: "SENTRY_DSN", value: "https://0123456789abcdef0123456789abcdef@o1.ingest.sentry.io/42" },
        { name: "API_TOKEN", value: "[secret]" },
      ];
      expect(await messagesOf("no-plaintext-secrets", [deployment("api", { containers: [{ ...goodContainer(), env }] })])).to.deep.equal([
        'Deployment apps/api container "api": env PGPASSWORD looks like a secret and holds a literal value; reference a Kubernetes Secret instead',
        'Deployment apps/api container "api": env DATABASE_URL contains a URL with an embedded password in plain text; reference a Kubernetes Secret instead',
        'Deployment apps/api container "api": env SENTRY_DSN contains a Sentry DSN in plain text; reference a Kubernetes Secret instead',
        'Deployment apps/api container "api": env API_TOKEN holds a Pulumi secret, which Kubernetes stores here in plain text; put it in a Secret and reference it',
      ]);
    });

    it("reports literal secrets anywhere in Helm values, with their path", async () => {
      const values = {
        grafana: { adminPassword: "admin" },
        alertmanager: {
          config: {
            global: { slack_api_url: SLACK },
            receivers: [{ name: "oncall", pagerduty_configs: [{ routing_key: "0123456789abcdef0123456789abcdef" }] }],
          },
        },
      };
      expect(await messagesOf("no-plaintext-secrets", [helm(CHART, "kps", { chart: "kube-prometheus-stack", values })])).to.deep.equal([
        "Helm chart monitoring/kps: values.grafana.adminPassword looks like a secret and holds a literal value; reference a Kubernetes Secret instead",
        "Helm chart monitoring/kps: values.alertmanager.config.global.slack_api_url contains a Slack webhook URL in plain text; reference a Kubernetes Secret instead",
        "Helm chart monitoring/kps: values.alertmanager.config.receivers[0].pagerduty_configs[0].routing_key looks like a secret and holds a literal value; reference a Kubernetes Secret instead",
      ]);
    });

    it("tells secret names from references to secrets", () => {
      const secret = [
        "password", "adminPassword", "PGPASSWORD", "ROUTING_KEY", "apiKey", "client_secret", "cookieSecret", "secret",
        "slackWebhookUrl", "SENTRY_DSN", "bearer_token", "auth-token",
      ];
      const notSecret = [
        "passwordKey", "existingSecret", "configSecret", "tlsSecret", "secretName", "password_file", "tokenEnabled", "useExistingSecret",
        "api_url", "userKey", "key", "client_id", "auth_enabled",
      ];
      expect(secret.filter((n) => !isSecretName(n)), "missed").to.deep.equal([]);
      expect(notSecret.filter((n) => isSecretName(n)), "false alarms").to.deep.equal([]);
    });

    it("recognises secret shapes in values and leaves ordinary URLs alone", () => {
      expect(
        [
          SLACK,
          "https://discord.com/api/webhooks/1/abc",
          "https://acme.webhook.office.com/webhookb2/x",
          "mysql://root:pw@db:3306/x",
          "AKIAABCDEFGHIJKLMNOP",
          "-----BEGIN RSA PRIVATE KEY-----",
          "xoxb-123456789012-abcdef",
          "ghp_" + "a".repeat(36),
        ].map(secretPattern),
      ).to.deep.equal([
        "Slack webhook URL",
        "Discord webhook URL",
        "Microsoft Teams webhook URL",
        "URL with an embedded password",
        "AWS access key id",
        "private key",
        "Slack token",
        "GitHub token",
      ]);
      expect(["http://loki-gateway.monitoring.svc.cluster.local:80/loki/api/v1/push", "https://user@example.com/", "[secret]"].map(secretPattern)).to.deep.equal([
        undefined,
        undefined,
        undefined,
      ]);
    });
  });
});
