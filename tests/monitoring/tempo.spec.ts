import { expect } from "chai";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { CHARTS, OTLP_PORTS, TEMPO_HTTP_PORT } from "../../components/monitoring";
import { toYaml } from "../../components/core/yaml";
import { REPOSITORY_ROOT } from "../../plan/run-program";
import { planStack, STACKS, type StackName } from "../harness";
import { toolPath } from "../../plan/tools";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const TEMPO_RELEASE = "platform-monitoring-tempo-release";
const ARCHIVE = path.join(REPOSITORY_ROOT, "charts", `${CHARTS.tempo.chart}-${CHARTS.tempo.version}.tgz`);

async function tempoValues(stack: StackName): Promise<Record<string, any>> {
  return (await planStack(stack)).one(RELEASE, TEMPO_RELEASE).inputs.values as Record<string, any>;
}

/** The chart's objects for a stack's values, from `helm template` on the stored archive, by kind/name. */
function renderChart(values: unknown): Map<string, Record<string, any>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tempo-chart-"));
  try {
    fs.writeFileSync(path.join(dir, "values.yaml"), toYaml(values));
    const run = spawnSync(toolPath("helm"), ["template", "tempo", ARCHIVE, "--namespace", "monitoring", "--values", path.join(dir, "values.yaml"), "--kube-version", "1.34.0"], {
      encoding: "utf8",
    });
    expect(run.status, run.stderr).to.equal(0);
    const objects = new Map<string, Record<string, any>>();
    for (const doc of parseAllDocuments(run.stdout)) {
      const object = doc.toJS() as Record<string, any> | null;
      if (object) objects.set(`${object.kind}/${object.metadata.name}`, object);
    }
    return objects;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const want = {
  staging: { retention: "168h", storageSize: "10Gi" },
  production: { retention: "336h", storageSize: "20Gi" },
} as const;

describe("Tempo", () => {
  it("the stored chart archive is the pinned chart and version", () => {
    const run = spawnSync(toolPath("helm"), ["show", "chart", ARCHIVE], { encoding: "utf8" });
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^name: tempo$/m);
    expect(run.stdout).to.match(new RegExp(`^version: ${CHARTS.tempo.version.replace(/\./g, "\\.")}$`, "m"));
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      it("one pinned release from grafana-community, after kube-prometheus-stack (its ServiceMonitor needs the CRD)", async () => {
        const plan = await planStack(stack);
        const release = plan.one(RELEASE, TEMPO_RELEASE);
        expect(release.inputs).to.include({ name: "tempo", chart: "tempo", version: "2.2.4", namespace: "monitoring", atomic: true, cleanupOnFail: true });
        expect((release.inputs.repositoryOpts as { repo: string }).repo).to.equal("https://grafana-community.github.io/helm-charts");
        expect(plan.one("platform:monitoring:Tempo", "platform-monitoring-tempo").dependencies).to.include(
          plan.one(RELEASE, "platform-monitoring-kps-release").urn,
        );
      });

      it(`keeps traces ${want[stack].retention}, receives OTLP over gRPC only, reports no usage data`, async () => {
        const config = parseAllDocuments((await tempoValues(stack)).config)[0].toJS();
        expect(config.compactor).to.deep.equal({ compaction: { block_retention: want[stack].retention } });
        expect(config.distributor).to.deep.equal({ receivers: { otlp: { protocols: { grpc: { endpoint: "0.0.0.0:4317" } } } } });
        expect(config.usage_report).to.deep.equal({ reporting_enabled: false });
        expect(config.multitenancy_enabled).to.equal(false);
        expect(config.storage.trace.wal).to.deep.equal({ path: "/var/tempo/wal" });
      });

      it("a long WAL replay keeps Tempo out of its Service (readiness /ready) without the kubelet restarting it (liveness on the HTTP server only)", async () => {
        const container = (await planStack(stack)).object("StatefulSet", "monitoring", "tempo").spec.template.spec.containers.find((c: { name: string }) => c.name === "tempo");
        // The chart's timings stay: only what the liveness probe asks changes.
        const timings = { initialDelaySeconds: 30, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 };
        expect(container.livenessProbe).to.deep.equal({ httpGet: { path: "/api/status/buildinfo", port: TEMPO_HTTP_PORT }, ...timings });
        expect(container.readinessProbe).to.deep.equal({ httpGet: { path: "/ready", port: TEMPO_HTTP_PORT }, ...timings, initialDelaySeconds: 20 });
      });

      it("helm template on the stored archive: the Service Alloy and Grafana use, the volume, the scrape, no Jaeger ports", async () => {
        const values = await tempoValues(stack);
        const objects = renderChart(values);
        const service = objects.get("Service/tempo")!;
        const ports = Object.fromEntries(service.spec.ports.map((p: { name: string; port: number }) => [p.name, p.port]));
        expect(ports["grpc-tempo-otlp"]).to.equal(OTLP_PORTS.grpc);
        expect(ports["tempo-prom-metrics"]).to.equal(TEMPO_HTTP_PORT);
        expect(Object.keys(ports).filter((name) => name.includes("jaeger"))).to.deep.equal([]);
        // OTLP over HTTP is off too. Zipkin and the legacy OTLP ports are written by the chart's _ports.tpl
        // whatever the values say (chart 2.2.4 has no switch for them); no receiver listens there.
        expect(ports).to.deep.equal({ "tempo-prom-metrics": TEMPO_HTTP_PORT, "grpc-tempo-otlp": OTLP_PORTS.grpc, "tempo-zipkin": 9411, "tempo-otlp-legacy": 55680, "tempo-otlp-http-legacy": 55681 });
        expect(service.spec.selector).to.deep.equal({ "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" });

        const statefulSet = objects.get("StatefulSet/tempo")!;
        const pod = statefulSet.spec.template.spec;
        expect(statefulSet.spec.replicas).to.equal(1);
        expect(pod.serviceAccountName).to.equal("tempo");
        expect(pod.automountServiceAccountToken).to.equal(false);
        expect(pod.securityContext).to.deep.equal({ runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
        const container = pod.containers.find((c: { name: string }) => c.name === "tempo");
        expect(container.image).to.equal("docker.io/grafana/tempo:2.10.8");
        expect(container.securityContext).to.deep.equal({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
        expect(container.resources).to.deep.equal(values.tempo.resources);
        expect(container.volumeMounts).to.deep.include({ mountPath: "/var/tempo", name: "storage" });
        expect(statefulSet.spec.volumeClaimTemplates[0].spec).to.deep.include({ storageClassName: "gp3", resources: { requests: { storage: want[stack].storageSize } } });

        // The configuration Tempo reads is exactly the one the builder rendered.
        expect(objects.get("ConfigMap/tempo")!.data["tempo.yaml"].trim()).to.equal(values.config.trim());

        const monitor = objects.get("ServiceMonitor/tempo")!;
        expect(monitor.metadata.labels.release).to.equal("kube-prometheus-stack");
        expect(monitor.spec.endpoints).to.deep.equal([{ port: "tempo-prom-metrics" }]);

        const account = objects.get("ServiceAccount/tempo")!;
        expect(account.automountServiceAccountToken).to.equal(false);
        expect(account.metadata.annotations ?? {}).to.deep.equal(
          stack === "production" ? { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/platform-monitoring-tempo-irsa" } : {},
        );
      });
    });
  }

  describe("storage", () => {
    it("staging keeps traces on its volume: no bucket, no role", async () => {
      const plan = await planStack("staging");
      expect(plan.resources.filter((r) => r.type.startsWith("aws:") && r.name.includes("tempo"))).to.deep.equal([]);
      const config = parseAllDocuments((await tempoValues("staging")).config)[0].toJS();
      expect(config.storage.trace).to.deep.equal({ backend: "local", local: { path: "/var/tempo/traces" }, wal: { path: "/var/tempo/wal" } });
    });

    it("production writes blocks to a bucket hardened like Loki's: public access blocked, KMS, versioned, TLS only, lifecycle beyond retention", async () => {
      const plan = await planStack("production");
      const bucket = plan.one("aws:s3/bucket:Bucket", "platform-monitoring-tempo-blocks").inputs;
      expect(bucket).to.deep.include({ forceDestroy: false, tags: { environment: "production", component: "tempo" } });
      const pab = plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "platform-monitoring-tempo-blocks-public-access").inputs;
      expect(pab).to.include({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      const sse = plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "platform-monitoring-tempo-blocks-encryption").inputs as any;
      expect(sse.rules).to.deep.equal([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }]);
      const versioning = plan.one("aws:s3/bucketVersioning:BucketVersioning", "platform-monitoring-tempo-blocks-versioning").inputs as any;
      expect(versioning.versioningConfiguration.status).to.equal("Enabled");
      const lifecycle = plan.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "platform-monitoring-tempo-blocks-lifecycle").inputs as any;
      // 14 days of traces, then a week for Tempo's compactor to have deleted them first.
      expect(lifecycle.rules).to.deep.equal([
        {
          id: "expire-after-trace-retention",
          status: "Enabled",
          filter: {},
          expiration: { days: 21 },
          noncurrentVersionExpiration: { noncurrentDays: 7 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ]);
      const policy = JSON.parse(plan.one("aws:s3/bucketPolicy:BucketPolicy", "platform-monitoring-tempo-blocks-tls-only").inputs.policy as string);
      expect(policy.Statement).to.deep.equal([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: ["arn:aws:s3:::platform-monitoring-tempo-blocks", "arn:aws:s3:::platform-monitoring-tempo-blocks/*"],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
      const config = parseAllDocuments((await tempoValues("production")).config)[0].toJS();
      expect(config.storage.trace).to.deep.equal({
        backend: "s3",
        s3: { bucket: "platform-monitoring-tempo-blocks", endpoint: "s3.eu-west-1.amazonaws.com", region: "eu-west-1" },
        wal: { path: "/var/tempo/wal" },
      });
      expect(JSON.stringify(await tempoValues("production"))).to.not.match(/access_key|secret_key|accessKeyId|secretAccessKey/);
    });

    it("production reaches the bucket through an IRSA role bound to the tempo ServiceAccount, scoped to that bucket", async () => {
      const plan = await planStack("production");
      const trust = JSON.parse(plan.one("aws:iam/role:Role", "platform-monitoring-tempo-irsa").inputs.assumeRolePolicy as string);
      const issuer = "oidc.eks.eu-west-1.amazonaws.com/id/PRODEXAMPLE0000000000000000000000";
      expect(trust.Statement[0].Action).to.equal("sts:AssumeRoleWithWebIdentity");
      expect(trust.Statement[0].Condition.StringEquals).to.deep.equal({
        [`${issuer}:sub`]: "system:serviceaccount:monitoring:tempo",
        [`${issuer}:aud`]: "sts.amazonaws.com",
      });
      const access = JSON.parse(plan.one("aws:iam/rolePolicy:RolePolicy", "platform-monitoring-tempo-irsa-bucket-access").inputs.policy as string);
      expect(access.Statement.flatMap((s: { Action: string[] }) => s.Action).sort()).to.deep.equal([
        "s3:DeleteObject",
        "s3:GetObject",
        "s3:GetObjectTagging",
        "s3:ListBucket",
        "s3:PutObject",
        "s3:PutObjectTagging",
      ]);
      for (const statement of access.Statement) {
        for (const resource of statement.Resource) expect(resource).to.match(/^arn:aws:s3:::platform-monitoring-tempo-blocks(\/\*)?$/);
      }
    });
  });
});
