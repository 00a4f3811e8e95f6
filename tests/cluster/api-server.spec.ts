import { expect } from "chai";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHARTS } from "../../components/monitoring/charts";
import { toolPath } from "../../plan/tools";
import { type ApiServer, sharedApiServer } from "./fixtures/api-server";
import { chartArchive, chartCrds, crdsOfArchive } from "./fixtures/chart-crds";
import { KubeClient } from "./fixtures/kube-client";

// kube-prometheus-stack 88.5.3 (Chart.yaml appVersion v0.93.1) brings these prometheus-operator CRDs.
const PROMETHEUS_OPERATOR_VERSION = "0.93.1";
const PROMETHEUS_OPERATOR_CRDS = [
  "alertmanagerconfigs",
  "alertmanagers",
  "podmonitors",
  "probes",
  "prometheusagents",
  "prometheuses",
  "prometheusrules",
  "scrapeconfigs",
  "servicemonitors",
  "thanosrulers",
].map((plural) => `${plural}.monitoring.coreos.com`);

describe("the test API server (etcd + kube-apiserver on 127.0.0.1)", function () {
  this.timeout(180_000);
  let server: ApiServer;

  before(async function () {
    server = await sharedApiServer(this);
  });

  it("serves Kubernetes v1.34.4 on loopback over TLS, to the kubeconfig's token only", async () => {
    expect(new URL(server.server).hostname).to.equal("127.0.0.1");
    const version = await server.client.get("/version");
    expect(version).to.include({ major: "1", minor: "34", gitVersion: "v1.34.4" });
    for (const token of ["", "not-the-token"]) {
      const stranger = new KubeClient(server.server, server.ca, token);
      const refused = await stranger.request("GET", "/api/v1/namespaces");
      stranger.close();
      expect(refused.status, `token "${token}"`).to.equal(401);
    }
  });

  // helm reads kubeconfigs with client-go's loader, as the Pulumi Kubernetes provider does (and kubectl;
  // Debian 12 has no current kubectl, helm is built by .ci/build-tools).
  it("its kubeconfig works for a client-go tool (helm lists releases through it)", () => {
    const result = spawnSync(toolPath("helm"), ["list", "--all-namespaces", "--output", "json"], { env: server.env(), encoding: "utf8" });
    expect(result.status, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal([]);
  });

  it(`has the pinned charts' CRDs established, prometheus-operator's at v${PROMETHEUS_OPERATOR_VERSION} from kube-prometheus-stack ${CHARTS.kubePrometheusStack.version}`, async () => {
    const expected = chartCrds();
    expect(expected.map((crd) => crd.metadata.name)).to.include.members(PROMETHEUS_OPERATOR_CRDS);
    for (const crd of expected) {
      const served = await server.client.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      const established = served.status.conditions.find((c: { type: string }) => c.type === "Established");
      expect(established?.status, crd.metadata.name).to.equal("True");
      expect(served.spec.versions.map((v: { name: string }) => v.name), crd.metadata.name).to.deep.equal((crd.spec as any).versions.map((v: { name: string }) => v.name));
      if (PROMETHEUS_OPERATOR_CRDS.includes(crd.metadata.name)) {
        expect(served.metadata.annotations["operator.prometheus.io/version"], crd.metadata.name).to.equal(PROMETHEUS_OPERATOR_VERSION);
      }
    }
  });

  it("deleteNamespace does the absent namespace controller's work: contents gone, finalizers cleared, name free again", async () => {
    const { client } = server;
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "fixture-scratch" } };
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "left-behind", namespace: "fixture-scratch" }, data: { a: "b" } };
    // The StorageObjectInUseProtection admission plugin adds a finalizer only a controller would remove.
    const claim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "fixture-scratch" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    };
    for (const object of [ns, configMap, claim]) await client.applyOrThrow(object, "fixture-test");
    expect((await client.get("/api/v1/namespaces/fixture-scratch/persistentvolumeclaims/data")).metadata.finalizers).to.deep.equal(["kubernetes.io/pvc-protection"]);

    await server.deleteNamespace("fixture-scratch");
    expect((await client.request("GET", "/api/v1/namespaces/fixture-scratch")).status).to.equal(404);
    await client.applyOrThrow(ns, "fixture-test");
    expect((await client.get("/api/v1/namespaces/fixture-scratch/configmaps")).items.map((i: any) => i.metadata.name)).to.not.include("left-behind");
    expect((await client.get("/api/v1/namespaces/fixture-scratch/persistentvolumeclaims")).items).to.deep.equal([]);
    await server.deleteNamespace("fixture-scratch");
    await server.deleteNamespace("fixture-scratch"); // a no-op now
  });
});

describe("CRDs from the pinned chart archives", () => {
  it("reads each CRD file on its own, from the chart, its subchart folders and its archived subcharts", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "platform-crd-archive-test-"));
    const crd = (plural: string) => `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${plural}.example.com\n`;
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    try {
      write("sub/Chart.yaml", "apiVersion: v2\nname: sub\nversion: 0.1.0\n");
      write("sub/crds/b.yaml", `${crd("bs")}---\n${crd("cs")}`);
      execFileSync("tar", ["-czf", path.join(root, "sub-0.1.0.tgz"), "-C", root, "sub"]);
      write("top/Chart.yaml", "apiVersion: v2\nname: top\nversion: 1.0.0\n");
      // Files without a leading `---`, as `helm show crds` would concatenate them into one document.
      write("top/crds/a.yaml", crd("as"));
      write("top/crds/nested/d.yaml", crd("ds"));
      write("top/charts/folder/Chart.yaml", "apiVersion: v2\nname: folder\nversion: 0.1.0\n");
      write("top/charts/folder/crds/e.yml", crd("es"));
      write("top/templates/crds.yaml", crd("not-a-crd-of-helms"));
      fs.copyFileSync(path.join(root, "sub-0.1.0.tgz"), path.join(root, "top/charts/sub-0.1.0.tgz"));
      execFileSync("tar", ["-czf", path.join(root, "top-1.0.0.tgz"), "-C", root, "top"]);
      expect(crdsOfArchive(path.join(root, "top-1.0.0.tgz")).map((c) => c.metadata.name)).to.deep.equal(
        ["as", "ds", "es", "bs", "cs"].map((p) => `${p}.example.com`),
      );
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("finds loki's two rollout-operator CRDs, whose files `helm show crds` would run together", () => {
    expect(crdsOfArchive(chartArchive(CHARTS.loki)).map((c) => c.metadata.name)).to.deep.equal([
      "replicatemplates.rollout-operator.grafana.com",
      "zoneawarepoddisruptionbudgets.rollout-operator.grafana.com",
    ]);
  });

  it("names the missing archive when a pinned chart is not stored", () => {
    const missing = { ...CHARTS.kubePrometheusStack, version: "0.0.0-missing" };
    expect(() => crdsOfArchive(chartArchive(missing))).to.throw(
      "no chart archive charts/kube-prometheus-stack-0.0.0-missing.tgz: the pinned charts (components/monitoring/charts.ts) are stored under charts/",
    );
  });
});
