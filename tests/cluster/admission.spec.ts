import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SECRET_PLACEHOLDER } from "../../plan/mocks";
import { writePlan } from "../../plan/render";
import { planStack, STACKS } from "../harness";
import {
  ADMISSION_FIELD_MANAGER,
  type Admission,
  admitManifests,
  failuresOf,
  isWorkload,
  type Manifest,
  podOf,
  readManifests,
  SECRET_STAND_IN,
  withStandInSecrets,
} from "./fixtures/admission";
import { type ApiServer, sharedApiServer } from "./fixtures/api-server";
import type { KubeObject } from "./fixtures/kube-client";

const PSA_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** What Pod Security Admission says about privilegedDeployment's pod at each level that forbids it. */
const VIOLATIONS: Record<string, string> = {
  baseline: 'privileged (container "probe" must not set securityContext.privileged=true)',
  restricted:
    'privileged (container "probe" must not set securityContext.privileged=true), ' +
    'allowPrivilegeEscalation != false (container "probe" must set securityContext.allowPrivilegeEscalation=false)',
};

/**
 * A pod template that only a privileged namespace admits: a privileged container, otherwise as restricted
 * as possible (a privileged container escalates privileges by definition, so restricted names both).
 */
function privilegedDeployment(namespace: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "psa-probe", namespace },
    spec: {
      selector: { matchLabels: { app: "psa-probe" } },
      template: {
        metadata: { labels: { app: "psa-probe" } },
        spec: {
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [{
            name: "probe",
            image: "registry.example.com/probe:1.0.0",
            securityContext: { privileged: true, allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"] } },
          }],
        },
      },
    },
  };
}

describe("kube-apiserver admits every object the plan writes (server-side dry-run)", function () {
  this.timeout(300_000);
  let server: ApiServer;

  before(async function () {
    server = await sharedApiServer(this);
  });

  for (const stack of STACKS) {
    describe(stack, () => {
      let out: string;
      let manifests: Manifest[];
      let admission: Admission;

      before(async () => {
        out = fs.mkdtempSync(path.join(os.tmpdir(), `platform-admission-${stack}-`));
        writePlan((await planStack(stack)).record, out);
        manifests = readManifests(path.join(out, "manifests"));
        admission = await admitManifests(server, manifests);
      });

      after(async () => {
        // The other stack uses the same namespace names: leave the server as this stack found it.
        for (const name of admission?.createdNamespaces ?? []) await server.deleteNamespace(name);
        if (out) fs.rmSync(out, { recursive: true, force: true });
      });

      it("creates the plan's namespaces for real first, with their Pod Security Admission labels", async () => {
        expect(failuresOf(admission.prerequisites), "setup applied for real").to.deep.equal([]);
        const namespaces = manifests.filter((m) => m.object.kind === "Namespace");
        expect(namespaces.map((m) => m.object.metadata.name)).to.include.members(["apps", "backups", "monitoring", "node-agents"]);
        expect(admission.createdNamespaces).to.have.members(namespaces.map((m) => m.object.metadata.name));
        for (const { object } of namespaces) {
          const live = await server.client.get(`/api/v1/namespaces/${object.metadata.name}`);
          const labels = object.metadata.labels as Record<string, string>;
          expect(labels["pod-security.kubernetes.io/enforce"], object.metadata.name).to.be.oneOf([...PSA_LEVELS]);
          expect(live.metadata.labels, object.metadata.name).to.include(labels);
        }
      });

      it("admits every object with neither a rejection nor a warning", () => {
        expect(admission.objects.map((c) => c.source)).to.deep.equal(manifests.map((m) => m.file));
        expect(failuresOf(admission.objects), "objects the API server refused or warned about").to.deep.equal([]);
      });

      it("admits the masked Secrets with stand-in values of the right shape", () => {
        const masked = manifests.filter((m) => JSON.stringify(m.object).includes(JSON.stringify(SECRET_PLACEHOLDER)));
        expect(masked.map((m) => m.file)).to.include.members([
          "apps/secret-api-env.yaml",
          "backups/secret-db-orders-credentials.yaml",
          "monitoring/secret-alertmanager-platform-config.yaml",
          "monitoring/secret-grafana-admin.yaml",
        ]);
        expect(admission.standIns).to.include("apps/secret-api-env.yaml: stringData.DATABASE_URL");
        const maskedFiles = new Set(masked.map((m) => m.file));
        expect(new Set(admission.standIns.map((s) => s.split(":")[0]))).to.deep.equal(maskedFiles);
        const results = admission.objects.filter((c) => maskedFiles.has(c.source));
        expect(results).to.have.lengthOf(masked.length);
        for (const { source, result } of results) expect(result.admitted, `${source}: ${result.message}`).to.equal(true);
      });

      it("admits the program's Secrets exactly as the plan writes them: a masked map keeps its keys, each value masked", async () => {
        const asWritten = manifests.filter((m) => m.object.kind === "Secret" && m.object.data === undefined && JSON.stringify(m.object).includes(JSON.stringify(SECRET_PLACEHOLDER)));
        expect(asWritten.map((m) => m.file)).to.include.members(["apps/secret-api-env.yaml", "monitoring/secret-grafana-admin.yaml", "monitoring/secret-alertmanager-platform-config.yaml"]);
        for (const { file, object } of asWritten) {
          expect(Object.values(object.stringData as object), file).to.satisfy((values: unknown[]) => values.length > 0 && values.every((v) => v === SECRET_PLACEHOLDER));
          const result = await server.client.apply(object, ADMISSION_FIELD_MANAGER, { dryRun: true });
          expect(result.admitted, `${file}: ${result.message}`).to.equal(true);
        }
      });

      it("admits the Pod every workload's controller would create (PSA enforce, LimitRange maximums)", () => {
        const workloads = manifests.filter((m) => isWorkload(m.object));
        expect(workloads.map((m) => m.object.kind)).to.include.members(["Deployment", "Job", "CronJob"]);
        expect(admission.pods).to.have.lengthOf(workloads.length);
        expect(failuresOf(admission.pods), "Pods the API server refused or warned about").to.deep.equal([]);
      });

      it("only the node agents' namespace is privileged, and only the node agents need it: their pods are refused in the monitoring namespace", async () => {
        const levels = manifests
          .filter((m) => m.object.kind === "Namespace")
          .map((m) => [m.object.metadata.name, (m.object.metadata.labels as Record<string, string>)["pod-security.kubernetes.io/enforce"]]);
        expect(levels.filter(([, level]) => level !== "restricted")).to.deep.equal([["node-agents", "privileged"]]);
        const agents = manifests.filter((m) => m.object.kind === "DaemonSet");
        expect(agents.map((m) => m.file)).to.deep.equal(["node-agents/daemonset-alloy.yaml", "node-agents/daemonset-kube-prometheus-stack-prometheus-node-exporter.yaml"]);
        const refusals: string[] = [];
        for (const { object } of agents) {
          const pod = podOf(object);
          // Under the namespace's default ServiceAccount: theirs exists only in node-agents, and its lookup comes first.
          const { serviceAccountName: _, ...spec } = pod.spec as Record<string, unknown>;
          const result = await server.client.apply({ ...pod, metadata: { ...pod.metadata, namespace: "monitoring" }, spec }, ADMISSION_FIELD_MANAGER, { dryRun: true });
          expect(result.status, object.metadata.name).to.equal(403);
          refusals.push(String(result.message));
        }
        expect(refusals).to.deep.equal([
          // Alloy's container is hardened otherwise: only its node folders and its root user remain.
          'pods "alloy-check" is forbidden: violates PodSecurity "restricted:latest": ' +
            'restricted volume types (volumes "varlog", "alloy-storage" use restricted volume type "hostPath"), ' +
            'runAsNonRoot != true (pod or container "alloy" must set securityContext.runAsNonRoot=true)',
          'pods "kube-prometheus-stack-prometheus-node-exporter-check" is forbidden: violates PodSecurity "restricted:latest": ' +
            'host namespaces (hostNetwork=true, hostPID=true), hostPort (container "node-exporter" uses hostPort 9100), ' +
            'restricted volume types (volumes "proc", "sys", "root" use restricted volume type "hostPath")',
        ]);
      });

      it("applies each namespace's LimitRange to Pods: a container above the maximum CPU is refused", async () => {
        const limitRanges = manifests.filter((m) => m.object.kind === "LimitRange");
        expect(limitRanges).to.not.have.lengthOf(0);
        for (const { object: limitRange } of limitRanges) {
          const namespace = limitRange.metadata.namespace!;
          const max = (limitRange.spec as any).limits.find((l: { type: string }) => l.type === "Container").max.cpu as string;
          const pod: KubeObject = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "limit-probe", namespace },
            spec: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [{
                name: "probe",
                image: "registry.example.com/probe:1.0.0",
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                resources: { limits: { cpu: "64", memory: "128Mi" } },
              }],
            },
          };
          const result = await server.client.apply(pod, ADMISSION_FIELD_MANAGER, { dryRun: true });
          expect(result.status, namespace).to.equal(403);
          expect(result.message).to.equal(`pods "limit-probe" is forbidden: maximum cpu usage per Container is ${max}, but limit is 64`);
        }
      });

      it("enforces each namespace's PSA levels: a privileged container is refused or warned about as the labels say", async () => {
        for (const { object: ns } of manifests.filter((m) => m.object.kind === "Namespace")) {
          const labels = ns.metadata.labels as Record<string, string>;
          const deployment = privilegedDeployment(ns.metadata.name);
          const asWorkload = await server.client.apply(deployment, ADMISSION_FIELD_MANAGER, { dryRun: true });
          const asPod = await server.client.apply(podOf(deployment), ADMISSION_FIELD_MANAGER, { dryRun: true });
          const warn = labels["pod-security.kubernetes.io/warn"];
          const enforce = labels["pod-security.kubernetes.io/enforce"];
          if (warn === "privileged") {
            expect(asWorkload.warnings, ns.metadata.name).to.deep.equal([]);
          } else {
            expect(asWorkload.warnings, ns.metadata.name).to.deep.equal([
              `would violate PodSecurity "${warn}:latest": ${VIOLATIONS[warn]}`,
            ]);
            // The check reports it with the object and the server's words.
            expect(failuresOf([{ source: "probe.yaml", result: asWorkload }])).to.deep.equal([
              `Deployment ${ns.metadata.name}/psa-probe (apps/v1) [probe.yaml]: warning: ${asWorkload.warnings[0]}`,
            ]);
          }
          if (enforce === "privileged") {
            expect(asPod.admitted, `${ns.metadata.name}: ${asPod.message}`).to.equal(true);
          } else {
            expect(asPod.admitted, ns.metadata.name).to.equal(false);
            expect(asPod.status).to.equal(403);
            expect(asPod.message).to.equal(
              `pods "psa-probe-check" is forbidden: violates PodSecurity "${enforce}:latest": ${VIOLATIONS[enforce]}`,
            );
          }
        }
      });
    });
  }

  describe("the check's verdicts", () => {
    it("a mask sent as is is refused, with the object and the server's message", async () => {
      const secret: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "masked", namespace: "default" }, stringData: SECRET_PLACEHOLDER };
      const result = await server.client.apply(secret, ADMISSION_FIELD_MANAGER, { dryRun: true });
      expect(failuresOf([{ source: "default/secret-masked.yaml", result }])).to.deep.equal([
        "Secret default/masked (v1) [default/secret-masked.yaml]: rejected (500): failed to create typed patch object (default/masked; /v1, Kind=Secret): .stringData: expected map, got &{[secret]}",
      ]);
    });

    it("a namespaced object without its namespace is a failure, not a silent 'default'", async () => {
      const object: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "unplaced" }, data: {} };
      const result = await server.client.apply(object, ADMISSION_FIELD_MANAGER, { dryRun: true });
      expect(failuresOf([{ source: "_cluster/configmap-unplaced.yaml", result }])).to.deep.equal([
        "ConfigMap unplaced (v1) [_cluster/configmap-unplaced.yaml]: rejected (0): ConfigMap is namespaced, but the object has no metadata.namespace",
      ]);
    });

    it("an object of a kind the server does not serve is a failure naming it", async () => {
      const object: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "default" } };
      const result = await server.client.apply(object, ADMISSION_FIELD_MANAGER, { dryRun: true });
      expect(failuresOf([{ source: "default/widget-w.yaml", result }])).to.deep.equal([
        "Widget default/w (example.com/v1) [default/widget-w.yaml]: rejected (0): the API server serves no Widget in example.com/v1 (is its CustomResourceDefinition installed?)",
      ]);
    });
  });
});

describe("the admission check's own logic", () => {
  it("replaces masks by stand-ins valid for their field, and only masks", () => {
    const secret: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "apps" },
      data: { token: SECRET_PLACEHOLDER, plain: "cGxhaW4=" },
      stringData: SECRET_PLACEHOLDER,
    };
    const base64 = Buffer.from(SECRET_STAND_IN).toString("base64");
    expect(withStandInSecrets(secret)).to.deep.equal({
      object: { ...secret, data: { token: base64, plain: "cGxhaW4=" }, stringData: { [SECRET_STAND_IN]: SECRET_STAND_IN } },
      replaced: ["data.token", "stringData"],
    });
    const wholeData = withStandInSecrets({ ...secret, data: SECRET_PLACEHOLDER, stringData: undefined });
    expect(wholeData.object.data).to.deep.equal({ [SECRET_STAND_IN]: base64 });
    const env = withStandInSecrets({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: { containers: [{ name: "c", env: [{ name: "TOKEN", value: SECRET_PLACEHOLDER }] }] },
    });
    expect(env.replaced).to.deep.equal(["spec.containers[0].env[0].value"]);
    expect((env.object.spec as any).containers[0].env[0].value).to.equal(SECRET_STAND_IN);
  });

  it("builds each workload's Pod as its controller would: template, claim volumes of a StatefulSet, a name of at most 63 characters", () => {
    const statefulSet: KubeObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "a-rather-long-statefulset-name-that-a-chart-might-well-render", namespace: "monitoring" },
      spec: {
        volumeClaimTemplates: [{ metadata: { name: "storage" } }],
        template: { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c", image: "i:1" }], volumes: [{ name: "config", emptyDir: {} }] } },
      },
    };
    const pod = podOf(statefulSet);
    expect(pod.metadata).to.deep.equal({ labels: { app: "x" }, name: "a-rather-long-statefulset-name-that-a-chart-might-well-rencheck", namespace: "monitoring" });
    expect(pod.metadata.name).to.have.lengthOf(63);
    expect((pod.spec as any).volumes).to.deep.equal([
      { name: "config", emptyDir: {} },
      { name: "storage", persistentVolumeClaim: { claimName: "storage-a-rather-long-statefulset-name-that-a-chart-might-well-render-0" } },
    ]);
    const cronJob: KubeObject = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "backup", namespace: "backups" },
      spec: { jobTemplate: { spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1" }] } } } } },
    };
    expect(podOf(cronJob)).to.deep.equal({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "backup-check", namespace: "backups" },
      spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i:1" }] },
    });
  });
});
