import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { BLACKBOX_MODULES, blackboxModules, probeManifest } from "../../components/monitoring";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { NODE, PLAN_COMMAND, planStack, STACKS } from "../harness";
import { runTempDir } from "../temp-dirs";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART = "kubernetes:helm.sh/v4:Chart";

const expected = {
  staging: {
    // The apps' SLO window: 30 days at the rate the 7-day sizing allowed (18GB a week).
    retention: "30d",
    retentionSize: "80GB",
    prometheus: { replicas: 1, storage: "95Gi" },
    alertmanager: { replicas: 1 },
    lokiRetention: "168h",
    cluster: "staging-eu-west-1",
  },
  production: {
    retention: "30d",
    retentionSize: "90GB",
    prometheus: { replicas: 2, storage: "110Gi" },
    alertmanager: { replicas: 3 },
    lokiRetention: "720h",
    cluster: "prod-eu-west-1",
  },
} as const;

describe("MonitoringStack", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const want = expected[stack];

      it("installs the pinned charts from their repositories into the monitoring namespace, Alloy into the node agents' one", async () => {
        const plan = await planStack(stack);
        const pinned = [...plan.ofType(RELEASE), ...plan.ofType(CHART)]
          .filter((r) => r.inputs.namespace === "monitoring" || r.inputs.namespace === "node-agents")
          .map((r) => [r.type, r.inputs.name, r.inputs.chart, r.inputs.version, (r.inputs.repositoryOpts as { repo: string }).repo, r.inputs.namespace])
          .sort((a, b) => String(a[1]).localeCompare(String(b[1])));
        expect(pinned).to.deep.equal([
          [CHART, "alloy", "alloy", "1.11.1", "https://grafana.github.io/helm-charts", "node-agents"],
          [CHART, "blackbox-exporter", "prometheus-blackbox-exporter", "11.17.2", "https://prometheus-community.github.io/helm-charts", "monitoring"],
          [RELEASE, "kube-prometheus-stack", "kube-prometheus-stack", "88.5.3", "https://prometheus-community.github.io/helm-charts", "monitoring"],
          [RELEASE, "loki", "loki", "18.11.0", "https://grafana-community.github.io/helm-charts", "monitoring"],
          [CHART, "postgres-exporter-orders", "prometheus-postgres-exporter", "8.2.0", "https://prometheus-community.github.io/helm-charts", "monitoring"],
          [CHART, "pushgateway", "prometheus-pushgateway", "3.8.0", "https://prometheus-community.github.io/helm-charts", "monitoring"],
          [CHART, "redis-exporter-sessions", "prometheus-redis-exporter", "6.29.0", "https://prometheus-community.github.io/helm-charts", "monitoring"],
          [RELEASE, "tempo", "tempo", "2.2.4", "https://grafana-community.github.io/helm-charts", "monitoring"],
        ]);
        for (const r of plan.ofType(RELEASE)) expect(r.inputs).to.include({ atomic: true, cleanupOnFail: true });
      });

      it("sizes Prometheus and Alertmanager for the stack: retention, storage, replicas, external labels", async () => {
        const values = (await planStack(stack)).one(RELEASE, "platform-monitoring-kps-release").inputs.values as any;
        const spec = values.prometheus.prometheusSpec;
        expect(spec).to.include({ replicas: want.prometheus.replicas, retention: want.retention, retentionSize: want.retentionSize, scrapeInterval: "30s" });
        expect(spec.externalLabels).to.deep.equal({ cluster: want.cluster, environment: stack });
        expect(spec.storageSpec.volumeClaimTemplate.spec).to.deep.equal({
          storageClassName: "gp3",
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: want.prometheus.storage } },
        });
        expect(values.alertmanager.alertmanagerSpec).to.include({
          replicas: want.alertmanager.replicas,
          useExistingSecret: true,
          configSecret: "alertmanager-platform-config",
        });
        expect(spec.podAntiAffinity).to.equal(stack === "production" ? "hard" : "");
        expect(values.alertmanager.alertmanagerSpec.podAntiAffinity).to.equal(stack === "production" ? "hard" : "");
        const budgets = stack === "production" ? [{ enabled: true, minAvailable: 1 }, { enabled: true, minAvailable: 2 }] : [{ enabled: false, minAvailable: 1 }, { enabled: false, minAvailable: 1 }];
        expect([values.prometheus.podDisruptionBudget, values.alertmanager.podDisruptionBudget]).to.deep.equal(budgets);
      });

      it("makes Prometheus select rules, monitors and probes by an explicit label in every namespace", async () => {
        const spec = ((await planStack(stack)).one(RELEASE, "platform-monitoring-kps-release").inputs.values as any).prometheus.prometheusSpec;
        for (const kind of ["rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"]) {
          expect(spec[`${kind}SelectorNilUsesHelmValues`], kind).to.equal(false);
          expect(spec[`${kind}Selector`], kind).to.deep.equal({ matchLabels: { release: "kube-prometheus-stack" } });
        }
        for (const kind of ["rule", "serviceMonitor", "podMonitor", "probe"]) expect(spec[`${kind}NamespaceSelector`], kind).to.deep.equal({});
      });

      it("gives Grafana its admin password through an existing Secret, never a Helm value", async () => {
        const plan = await planStack(stack);
        const grafana = (plan.one(RELEASE, "platform-monitoring-kps-release").inputs.values as any).grafana;
        expect(grafana.admin).to.deep.equal({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
        expect(grafana).to.not.have.property("adminPassword");
        expect(grafana["grafana.ini"]["auth.anonymous"]).to.deep.equal({ enabled: false });
        // ConfigMaps of Grafana's namespace only (the dashboards live there): no searchNamespace, no Secrets.
        expect(grafana.sidecar.dashboards).to.include({ enabled: true, label: "grafana_dashboard", resource: "configmap" });
        expect(grafana.sidecar.dashboards).to.not.have.property("searchNamespace");
        expect(grafana.sidecar.datasources).to.include({ enabled: true, resource: "configmap", defaultDatasourceEnabled: true });
        expect(grafana.rbac).to.deep.equal({ namespaced: true, useExistingRole: "grafana-sidecars" });
        expect(grafana.persistence).to.deep.equal({ enabled: false });
        expect(grafana.ingress).to.deep.equal({ enabled: false });
        expect(grafana.additionalDataSources.map((d: { type: string; url: string }) => [d.type, d.url])).to.deep.equal([
          ["loki", "http://loki-gateway.monitoring.svc.cluster.local:80"],
          ["tempo", "http://tempo.monitoring.svc.cluster.local:3200"],
        ]);
        const host = stack === "production" ? "grafana.platform.example.com" : "grafana.staging.platform.example.com";
        expect(grafana["grafana.ini"].server.root_url).to.equal(`https://${host}`);
        const secret = plan.object("Secret", "monitoring", "grafana-admin");
        // The engine marks the whole map secret once one value in it is; the plan keeps its keys, masks each value.
        expect(secret.stringData).to.deep.equal({ "admin-user": "[secret]", "admin-password": "[secret]" });
        expect(plan.one("kubernetes:core/v1:Secret", "platform-monitoring-kps-grafana-admin").secretPaths).to.deep.equal(["stringData"]);
        expect(plan.one("random:index/randomPassword:RandomPassword", "platform-monitoring-kps-grafana-admin-password").inputs).to.include({ length: 32 });
      });

      it("runs Loki single-tenant on schema tsdb v13 with compactor retention for the stack", async () => {
        const values = (await planStack(stack)).one(RELEASE, "platform-monitoring-loki-release").inputs.values as any;
        expect(values.deploymentMode).to.equal("Monolithic");
        expect(values.loki.auth_enabled).to.equal(false);
        expect(values.loki.schemaConfig.configs).to.have.lengthOf(1);
        expect(values.loki.schemaConfig.configs[0]).to.include({ store: "tsdb", schema: "v13", object_store: stack === "production" ? "s3" : "filesystem" });
        expect(values.loki.compactor).to.include({ retention_enabled: true, delete_request_store: stack === "production" ? "s3" : "filesystem" });
        expect(values.loki.limits_config.retention_period).to.equal(want.lokiRetention);
      });

      it("ships pod logs with Alloy, parsing the apps' JSON fields; only production drops DEBUG", async () => {
        const values = (await planStack(stack)).one(CHART, "platform-monitoring-alloy-chart").inputs.values as any;
        // On every node, tainted ones included, ahead of the apps (node-agents.spec.ts covers why).
        expect(values.controller).to.deep.equal({
          type: "daemonset",
          volumes: { extra: [{ name: "alloy-storage", hostPath: { path: "/var/lib/alloy", type: "DirectoryOrCreate" } }] },
          priorityClassName: "system-node-critical",
          tolerations: [{ operator: "Exists" }],
        });
        const content: string = values.alloy.configMap.content;
        expect(content).to.contain('url = "http://loki-gateway.monitoring.svc.cluster.local:80/loki/api/v1/push"');
        for (const field of ["level", "request_id", "user_id", "duration_ms"]) expect(content).to.match(new RegExp(`\\b${field}\\s+= "${field}",`));
        for (const field of ["request_id", "user_id", "duration_ms"]) expect(content).to.match(new RegExp(`stage\\.structured_metadata \\{[^}]*\\b${field}\\s+= ""`));
        expect(content).to.match(/stage\.labels \{\n\s+values = \{ level = "" \}/);
        expect(content.includes('value               = "DEBUG"')).to.equal(stack === "production");
        expect(content).to.contain(`environment = "${stack}"`);
      });

      it("configures the blackbox exporter with every platform module", async () => {
        const values = (await planStack(stack)).one(CHART, "platform-monitoring-blackbox-chart").inputs.values as any;
        expect(Object.keys(values.config.modules).sort()).to.deep.equal([...BLACKBOX_MODULES].sort());
        expect(values.replicas).to.equal(stack === "production" ? 2 : 1);
      });
    });
  }

  describe("data-tier exporters", () => {
    for (const stack of STACKS) {
      it(`${stack}: postgres-exporter logs in with the generated credentials Secret; redis-exporter per cache`, async () => {
        const plan = await planStack(stack);
        const pg = plan.one(CHART, "platform-monitoring-exporters-postgres-orders").inputs.values as any;
        expect(pg.config.datasource).to.deep.equal({
          host: stack === "production" ? "orders.cluster-example.eu-west-1.rds.amazonaws.com" : "orders.cluster-example-staging.eu-west-1.rds.amazonaws.com",
          port: "5432",
          user: "platform_backup",
          database: "orders",
          sslmode: stack === "production" ? "verify-full" : "require",
          passwordSecret: { name: "db-orders-credentials", key: "password" },
          // verify-full checks the server's certificate against the CA bundle the backup image carries.
          ...(stack === "production" ? { extraParams: "sslrootcert=/etc/postgres-server-ca/postgres-server-ca.pem" } : {}),
        });
        if (stack === "production") {
          expect(pg.initContainers.map((c: any) => [c.name, c.image, c.command])).to.deep.equal([
            ["server-ca", "ghcr.io/example/platform-pg-backup:15.18-1", ["cp", "/etc/ssl/certs/postgres-server-ca.pem", "/etc/postgres-server-ca/"]],
          ]);
          expect(pg.extraVolumes).to.deep.equal([{ name: "server-ca", emptyDir: { sizeLimit: "1Mi" } }]);
          expect(pg.extraVolumeMounts).to.deep.equal([{ name: "server-ca", mountPath: "/etc/postgres-server-ca", readOnly: true }]);
          // The rendered Deployment: the init container fills the volume the exporter reads.
          const deployment = plan.object("Deployment", "monitoring", "postgres-exporter-orders-prometheus-postgres-exporter").spec.template.spec;
          expect(deployment.initContainers.map((c: any) => c.name)).to.deep.equal(["server-ca"]);
          expect(deployment.containers[0].volumeMounts).to.deep.include({ name: "server-ca", mountPath: "/etc/postgres-server-ca", readOnly: true });
          expect(deployment.containers[0].env.find((e: any) => e.name === "DATA_SOURCE_URI").value).to.equal(
            "orders.cluster-example.eu-west-1.rds.amazonaws.com:5432/orders?sslmode=verify-full&sslrootcert=/etc/postgres-server-ca/postgres-server-ca.pem",
          );
        } else {
          expect(pg).to.not.have.any.keys("initContainers", "extraVolumes", "extraVolumeMounts");
        }
        expect(pg.serviceMonitor).to.include({ enabled: true });
        expect(pg.serviceMonitor.labels).to.deep.equal({ release: "kube-prometheus-stack" });
        expect(pg.securityContext).to.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        const redis = plan.one(CHART, "platform-monitoring-exporters-redis-sessions").inputs.values as any;
        expect(redis.redisAddress).to.equal(
          // Production's cache has AUTH, which ElastiCache serves over TLS only.
          stack === "production" ? "rediss://sessions.example.euw1.cache.amazonaws.com:6379" : "redis://sessions-staging.example.euw1.cache.amazonaws.com:6379",
        );
        expect(redis.auth).to.deep.equal(stack === "production" ? { enabled: true, secret: { name: "redis-sessions-auth", key: "password" } } : { enabled: false, secret: { name: "", key: "" } });
        // The generated password reaches the exporter's and the backup jobs' namespaces as Secrets only.
        for (const ns of ["monitoring", "backups"]) {
          const secret = plan.object("Secret", ns, "db-orders-credentials");
          expect(secret.stringData).to.deep.equal(Object.fromEntries(Object.keys(secret.stringData).map((k) => [k, "[secret]"])));
          expect(secret.stringData).to.include.keys("password");
        }
        expect(JSON.stringify(pg)).to.not.contain("mock-");
      });
    }

    it("chart defaults the policy pack or PSA restricted would reject are overridden: reloader limits, Pushgateway and blackbox contexts, blackbox budget", async () => {
      const plan = await planStack("production");
      const alloy = plan.one(CHART, "platform-monitoring-alloy-chart").inputs.values as any;
      expect(alloy.configReloader.resources.limits).to.deep.equal({ cpu: "100m", memory: "128Mi", "ephemeral-storage": "256Mi" });
      const pushgateway = plan.one(CHART, "platform-monitoring-pushgateway").inputs.values as any;
      expect(pushgateway.containerSecurityContext).to.include({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true });
      // Neither chart names a seccomp profile; the monitoring namespace enforces restricted, which requires one.
      expect(pushgateway.containerSecurityContext.seccompProfile).to.deep.equal({ type: "RuntimeDefault" });
      const blackbox = plan.one(CHART, "platform-monitoring-blackbox-chart").inputs.values as any;
      expect(blackbox.podSecurityContext).to.deep.equal({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(blackbox.podDisruptionBudget).to.deep.equal({ maxUnavailable: 1 });
    });

    it("the Pushgateway keeps pushed backup metrics across restarts and keeps their labels", async () => {
      const values = (await planStack("production")).one(CHART, "platform-monitoring-pushgateway").inputs.values as any;
      expect(values.serviceMonitor).to.deep.equal({ enabled: true, honorLabels: true, additionalLabels: { release: "kube-prometheus-stack" } });
      expect(values.persistentVolume).to.deep.equal({ enabled: true, size: "1Gi", storageClass: "gp3" });
    });
  });

  describe("Loki object storage", () => {
    it("staging stores on a volume: no bucket, no role, no IRSA annotation", async () => {
      const plan = await planStack("staging");
      expect(plan.resources.filter((r) => r.type.startsWith("aws:") && r.name.includes("loki"))).to.deep.equal([]);
      const values = plan.one(RELEASE, "platform-monitoring-loki-release").inputs.values as any;
      expect(values.loki.storage).to.deep.equal({ type: "filesystem" });
      expect(values.serviceAccount.annotations).to.deep.equal({});
      expect(values.singleBinary.persistence).to.deep.equal({ enabled: true, size: "20Gi", storageClass: "gp3" });
    });

    it("production writes to a private, KMS-encrypted, versioned, TLS-only bucket with lifecycle beyond retention", async () => {
      const plan = await planStack("production");
      const pab = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "platform-monitoring-loki-chunks-public-access").inputs;
      expect(pab).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-monitoring-loki-chunks-encryption").inputs as any;
      expect(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm).to.equal("aws:kms");
      const versioning = plan.one("aws:s3/bucketVersioning:BucketVersioning", "platform-monitoring-loki-chunks-versioning").inputs as any;
      expect(versioning.versioningConfiguration.status).to.equal("Enabled");
      const lifecycle = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-monitoring-loki-chunks-lifecycle").inputs as any;
      // 30 days of logs, then a week for Loki's compactor to have deleted them first: chunks and index only.
      expect(lifecycle.rules).to.deep.equal([
        { id: "expire-after-log-retention-chunks", status: "Enabled", filter: { prefix: "fake/" }, expiration: { days: 37 } },
        { id: "expire-after-log-retention-index", status: "Enabled", filter: { prefix: "index/loki_index_" }, expiration: { days: 37 } },
        { id: "expire-old-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } },
      ]);
      const policy = JSON.parse(plan.one("aws:s3/bucketPolicy:BucketPolicy", "platform-monitoring-loki-chunks-tls-only").inputs.policy as string);
      expect(policy.Statement[0]).to.include({ Effect: "Deny", Action: "s3:*" });
      expect(policy.Statement[0].Condition).to.deep.equal({ Bool: { "aws:SecureTransport": "false" } });
    });

    it("production's lifecycle expires the chunks and index Loki's config writes, never its delete requests, rules or cluster seed", async () => {
      const plan = await planStack("production");
      const config = parse(plan.object("ConfigMap", "monitoring", "loki").data["config.yaml"]) as Record<string, any>;
      // Where Loki 3.7 puts each object, from the config it is given (the defaults where it sets none).
      expect(config.auth_enabled).to.equal(false);
      const tenant = "fake";
      expect(config.schema_config.configs).to.have.length(1);
      const { index } = config.schema_config.configs[0];
      const indexTables = `${index.path_prefix ?? "index/"}${index.prefix}`;
      const deleteRequests = `${config.compactor.delete_request_store_key_prefix ?? "index/"}delete_requests/`;
      expect(config.compactor.delete_request_store).to.equal("s3");
      expect(config.ruler.storage.type).to.equal("s3");
      const written = {
        chunk: `${tenant}/a1b2c3d4e5f60718/19a2b3c4d5e:19a2b3c8f00:9f8e7d6c`,
        index: `${indexTables}20410/${tenant}/1763337600-ingester-0-1763337600000000000.tsdb.gz`,
        compactedIndex: `${indexTables}20410/compactor-1763337600.tsdb.gz`,
        deleteRequests: `${deleteRequests}delete_requests.gz`,
        rule: `rules/${tenant}/platform/errors.yaml`,
        seed: "loki_cluster_seed.json",
      };
      const lifecycle = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-monitoring-loki-chunks-lifecycle").inputs as any;
      const expiring = (lifecycle.rules as any[]).filter((r) => r.expiration !== undefined).map((r) => r.filter.prefix ?? "");
      const expired = Object.entries(written).filter(([, objectKey]) => expiring.some((prefix: string) => objectKey.startsWith(prefix))).map(([what]) => what);
      expect(expired).to.deep.equal(["chunk", "index", "compactedIndex"]);
    });

    it("production reaches the bucket through an IRSA role bound to the loki ServiceAccount, with no static keys", async () => {
      const plan = await planStack("production");
      const role = plan.one("aws:iam/role:Role", "platform-monitoring-loki-irsa").inputs;
      const trust = JSON.parse(role.assumeRolePolicy as string);
      const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/PRODEXAMPLE0000000000000000000000";
      expect(trust.Statement[0].Action).to.equal("sts:AssumeRoleWithWebIdentity");
      expect(trust.Statement[0].Condition.StringEquals).to.deep.equal({
        [`${issuer}:sub`]: "system:serviceaccount:monitoring:loki",
        [`${issuer}:aud`]: "sts.amazonaws.com",
      });
      const access = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "platform-monitoring-loki-irsa-bucket-access").inputs.policy as string);
      const actions = access.Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
      expect(actions).to.deep.equal(["s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"]);
      for (const statement of access.Statement) for (const resource of statement.Resource) expect(resource).to.match(/^arn:aws:s3:::platform-monitoring-loki-chunks(\/\*)?$/);
      const values = plan.one(RELEASE, "platform-monitoring-loki-release").inputs.values as any;
      expect(values.loki.storage).to.deep.equal({
        type: "s3",
        bucketNames: { chunks: "platform-monitoring-loki-chunks", ruler: "platform-monitoring-loki-chunks" },
        s3: { region: "eu-west-1" },
      });
      expect(values.serviceAccount.annotations).to.deep.equal({ "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/platform-monitoring-loki-irsa" });
      expect(JSON.stringify(values)).to.not.match(/accessKeyId|secretAccessKey/);
    });
  });

  it("no generated password or configured secret appears in the printed plan or under build/<stack>/", () => {
    for (const stack of STACKS) {
      const out = runTempDir("platform-secrets-");
      const result = spawnSync(NODE, [...PLAN_COMMAND, "--stack", stack, "--out", out], {
        cwd: REPOSITORY_ROOT,
        encoding: "utf8",
      });
      expect(result.status, result.stderr).to.equal(0);
      const texts = [result.stdout, result.stderr];
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
          if (e.isDirectory()) walk(path.join(d, e.name));
          else texts.push(fs.readFileSync(path.join(d, e.name), "utf8"));
        }
      };
      walk(out);
      const all = texts.join("\n");
      // The mock provider's password is "mock-<name>-result"; the stack files' secure values start "v1:placeholder".
      expect(all).to.not.contain("grafana-admin-password-result");
      expect(all).to.not.contain("v1:placeholder");
      expect(all).to.contain('stringData:\n  admin-password: "[secret]"\n  admin-user: "[secret]"\n');
    }
  });

  describe("blackbox builders", () => {
    it("https probes validate certificates and api_health checks the JSON body", () => {
      const modules = blackboxModules() as any;
      expect(modules.https_2xx.http.fail_if_not_ssl).to.equal(true);
      expect(modules.https_2xx.http.tls_config.insecure_skip_verify).to.equal(false);
      expect(modules.api_health.http.fail_if_body_not_matches_regexp).to.deep.equal(['"status"\\s*:\\s*"(ok|healthy|pass)"']);
      expect(modules.dns.prober).to.equal("dns");
    });

    it("probeManifest makes a Probe Prometheus selects, pointing at the exporter", () => {
      const probe = probeManifest(
        { name: "api-health", namespace: "apps", module: "api_health", urls: ["http://api.apps.svc/health/ready"], labels: { service: "api" }, interval: "30s" },
        "monitoring",
      );
      expect(probe.metadata.labels).to.deep.equal({ release: "kube-prometheus-stack" });
      expect(probe.spec.prober.url).to.equal("blackbox-exporter-prometheus-blackbox-exporter.monitoring.svc.cluster.local:9115");
      expect(probe.spec.targets.staticConfig).to.deep.equal({ static: ["http://api.apps.svc/health/ready"], labels: { service: "api" } });
    });
  });
});
