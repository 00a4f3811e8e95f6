import { expect } from "chai";
import { diffPlans, formatDiff } from "../../plan/diff";
import type { RecordedResource } from "../../plan/mocks";
import type { PlanRecord } from "../../plan/run-program";
import { runProgram } from "../../plan/run-program";
import { engineConfig } from "../harness";

// The engine itself checks these rules against pulumi-kubernetes for the three changes of
// tests/engine/kubernetes-part.spec.ts; here each rule is pinned on its own, without a Go toolchain.

const PROVIDER = "urn:pulumi:staging::platform::platform:index:Platform$pulumi:providers:kubernetes::platform-cluster";

function provider(inputs: Record<string, unknown>): RecordedResource {
  return resource("pulumi:providers:kubernetes", "platform-cluster", inputs, { urn: PROVIDER, provider: undefined });
}

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
  return {
    urn: `urn:pulumi:staging::platform::${type}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    secretPaths: [],
    dependencies: [],
    provider: PROVIDER,
    options: { protect: false, retainOnDelete: false, ignoreChanges: [], deleteBeforeReplace: false, additionalSecretOutputs: [] },
    ...extra,
  };
}

const record = (...resources: RecordedResource[]): PlanRecord => ({ project: "platform", stack: "staging", resources });

const KIND_TYPES: Record<string, string> = {
  Deployment: "kubernetes:apps/v1:Deployment",
  StatefulSet: "kubernetes:apps/v1:StatefulSet",
  DaemonSet: "kubernetes:apps/v1:DaemonSet",
  Job: "kubernetes:batch/v1:Job",
  CronJob: "kubernetes:batch/v1:CronJob",
  Service: "kubernetes:core/v1:Service",
  Secret: "kubernetes:core/v1:Secret",
  ConfigMap: "kubernetes:core/v1:ConfigMap",
  PersistentVolumeClaim: "kubernetes:core/v1:PersistentVolumeClaim",
  ResourceQuota: "kubernetes:core/v1:ResourceQuota",
  Namespace: "kubernetes:core/v1:Namespace",
  RoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
  PodDisruptionBudget: "kubernetes:policy/v1:PodDisruptionBudget",
  StorageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
};
const API_VERSIONS: Record<string, string> = {
  Deployment: "apps/v1", StatefulSet: "apps/v1", DaemonSet: "apps/v1", Job: "batch/v1", CronJob: "batch/v1", RoleBinding: "rbac.authorization.k8s.io/v1",
  PodDisruptionBudget: "policy/v1", StorageClass: "storage.k8s.io/v1",
};

/** A Kubernetes object's record; `body` holds everything but apiVersion, kind and metadata. */
function object(kind: string, body: Record<string, unknown>, metadata: Record<string, unknown> = { name: "obj", namespace: "apps" }, extra: Partial<RecordedResource> = {}): RecordedResource {
  return resource(KIND_TYPES[kind], `platform-${kind.toLowerCase()}`, { apiVersion: API_VERSIONS[kind] ?? "v1", kind, metadata, ...body }, extra);
}

/** The diff of one resource between two versions, with the provider as given. */
function change(before: RecordedResource, after: RecordedResource, providerInputs: Record<string, unknown> = {}) {
  const diff = diffPlans(record(provider(providerInputs), before), record(provider(providerInputs), after));
  expect(diff.changed.map((c) => c.resource.name), "changed resources").to.deep.equal([after.name]);
  return diff.changed[0];
}

const replaced = (before: RecordedResource, after: RecordedResource, providerInputs?: Record<string, unknown>) => change(before, after, providerInputs).replacement;

const template = (image: string) => ({ metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image }] } });

describe("the offline --diff tells replacements from updates, by the providers' rules", () => {
  describe("Kubernetes objects (pulumi-kubernetes' forceNew fields)", () => {
    it("a changed name replaces, creating the new object first; a changed namespace too", () => {
      const job = object("Job", { spec: { template: template("a:1") } }, { name: "gate-1", namespace: "apps" });
      expect(replaced(job, object("Job", { spec: { template: template("a:1") } }, { name: "gate-2", namespace: "apps" }))).to.deep.equal({ because: ["metadata.name"], deleteBeforeReplace: false });
      const cm = object("ConfigMap", { data: { a: "1" } }, { name: "x", namespace: "apps" });
      expect(replaced(cm, object("ConfigMap", { data: { a: "1" } }, { name: "x", namespace: "other" }))).to.deep.equal({ because: ["metadata.namespace"], deleteBeforeReplace: false });
      const ns = object("Namespace", {}, { name: "apps" });
      expect(replaced(ns, object("Namespace", {}, { name: "apps2" }))?.because).to.deep.equal(["metadata.name"]);
      expect(replaced(ns, object("Namespace", {}, { name: "apps", labels: { team: "x" } }))).to.equal(undefined);
    });

    it("Jobs: a new pod template, completions, parallelism or selector replace (same name: the old Job is deleted first); backoffLimit updates", () => {
      const job = (spec: Record<string, unknown>) => object("Job", { spec: { template: template("a:1"), ...spec } });
      expect(replaced(job({}), object("Job", { spec: { template: template("a:2") } }))).to.deep.equal({ because: ["spec.template"], deleteBeforeReplace: true });
      expect(replaced(job({ completions: 1 }), job({ completions: 2 }))?.because).to.deep.equal(["spec.completions"]);
      expect(replaced(job({ parallelism: 1 }), job({ parallelism: 2 }))?.because).to.deep.equal(["spec.parallelism"]);
      expect(replaced(job({ selector: { matchLabels: { a: "1" } } }), job({ selector: { matchLabels: { a: "2" } } }))?.because).to.deep.equal(["spec.selector"]);
      expect(replaced(job({ backoffLimit: 1 }), job({ backoffLimit: 2 }))).to.equal(undefined);
    });

    it("Deployments and DaemonSets: only the selector replaces; replicas and the pod template update", () => {
      for (const kind of ["Deployment", "DaemonSet"]) {
        const workload = (labels: Record<string, string>, replicas: number, image: string) => object(kind, { spec: { replicas, selector: { matchLabels: labels }, template: template(image) } });
        expect(replaced(workload({ app: "api" }, 1, "a:1"), workload({ app: "api", color: "blue" }, 1, "a:1")), kind).to.deep.equal({ because: ["spec.selector"], deleteBeforeReplace: true });
        expect(replaced(workload({ app: "api" }, 1, "a:1"), workload({ app: "api" }, 3, "a:2")), kind).to.equal(undefined);
      }
    });

    it("StatefulSets: volumeClaimTemplates, serviceName, podManagementPolicy replace; replicas update", () => {
      const sts = (spec: Record<string, unknown>) => object("StatefulSet", { spec: { replicas: 1, serviceName: "db", ...spec } });
      expect(replaced(sts({ volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "1Gi" } } } }] }),
        sts({ volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { resources: { requests: { storage: "2Gi" } } } }] }))?.because).to.deep.equal(["spec.volumeClaimTemplates"]);
      expect(replaced(sts({}), sts({ serviceName: "db2" }))?.because).to.deep.equal(["spec.serviceName"]);
      expect(replaced(sts({}), sts({ podManagementPolicy: "Parallel" }))?.because).to.deep.equal(["spec.podManagementPolicy"]);
      expect(replaced(sts({}), sts({ replicas: 3 }))).to.equal(undefined);
    });

    it("Services: a new clusterIP replaces; selectors and ports update", () => {
      const svc = (spec: Record<string, unknown>) => object("Service", { spec: { selector: { app: "api" }, ports: [{ port: 80 }], ...spec } });
      expect(replaced(svc({ clusterIP: "10.96.0.10" }), svc({ clusterIP: "10.96.0.11" }))?.because).to.deep.equal(["spec.clusterIP"]);
      expect(replaced(svc({}), svc({ selector: { app: "api", color: "green" }, ports: [{ port: 8080 }] }))).to.equal(undefined);
    });

    it("PersistentVolumeClaims: storage class, access modes, volume name replace; a larger request updates (volume expansion)", () => {
      const pvc = (spec: Record<string, unknown>) => object("PersistentVolumeClaim", { spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "10Gi" } }, ...spec } });
      expect(replaced(pvc({}), pvc({ storageClassName: "gp2" }))?.because).to.deep.equal(["spec.storageClassName"]);
      expect(replaced(pvc({}), pvc({ accessModes: ["ReadWriteMany"] }))?.because).to.deep.equal(["spec.accessModes"]);
      expect(replaced(pvc({}), pvc({ volumeName: "pv-1" }))?.because).to.deep.equal(["spec.volumeName"]);
      expect(replaced(pvc({}), pvc({ resources: { requests: { storage: "20Gi" } } }))).to.equal(undefined);
    });

    it("Secrets and ConfigMaps: new contents replace, unless the provider makes them mutable and the object is not immutable", () => {
      const secret = (data: Record<string, string>, extra: Record<string, unknown> = {}) => object("Secret", { type: "Opaque", stringData: data, ...extra });
      expect(replaced(secret({ a: "1" }), secret({ a: "2" }))).to.deep.equal({ because: ["stringData"], deleteBeforeReplace: true });
      expect(replaced(secret({ a: "1" }), secret({ a: "1" }, { type: "kubernetes.io/tls" }))?.because).to.deep.equal(["type"]);
      expect(replaced(secret({ a: "1" }), secret({ a: "2" }), { enableSecretMutable: true })).to.equal(undefined);
      expect(replaced(secret({ a: "1" }, { immutable: true }), secret({ a: "2" }, { immutable: true }), { enableSecretMutable: true })?.because).to.deep.equal(["stringData"]);
      const configMap = (data: Record<string, string>) => object("ConfigMap", { data });
      expect(replaced(configMap({ a: "1" }), configMap({ a: "2" }))?.because).to.deep.equal(["data"]);
      expect(replaced(configMap({ a: "1" }), configMap({ a: "2" }), { enableConfigMapMutable: "true" })).to.equal(undefined);
      const labelled = object("ConfigMap", { data: { a: "1" } }, { name: "obj", namespace: "apps", labels: { x: "y" } });
      expect(replaced(configMap({ a: "1" }), labelled)).to.equal(undefined);
    });

    it("RoleBindings: a new roleRef replaces, new subjects update; ResourceQuotas: scopes replace, hard limits update", () => {
      const binding = (role: string, subject: string) => object("RoleBinding", { roleRef: { kind: "Role", name: role }, subjects: [{ kind: "ServiceAccount", name: subject }] });
      expect(replaced(binding("a", "x"), binding("b", "x"))?.because).to.deep.equal(["roleRef"]);
      expect(replaced(binding("a", "x"), binding("a", "y"))).to.equal(undefined);
      const quota = (spec: Record<string, unknown>) => object("ResourceQuota", { spec: { hard: { pods: "60" }, ...spec } });
      expect(replaced(quota({}), quota({ hard: { pods: "61" } }))).to.equal(undefined);
      expect(replaced(quota({}), quota({ scopes: ["BestEffort"] }))?.because).to.deep.equal(["spec.scopes"]);
    });

    it("updates in place what the provider updates: CronJobs, policy/v1 PodDisruptionBudgets, StorageClass parameters replace", () => {
      const cron = (schedule: string, image: string) => object("CronJob", { spec: { schedule, jobTemplate: { spec: { template: template(image) } } } });
      expect(replaced(cron("0 3 * * *", "a:1"), cron("0 4 * * *", "a:2"))).to.equal(undefined);
      const pdb = (min: number) => object("PodDisruptionBudget", { spec: { minAvailable: min, selector: { matchLabels: { app: "api" } } } });
      expect(replaced(pdb(1), pdb(2))).to.equal(undefined);
      const sc = (type: string) => object("StorageClass", { provisioner: "ebs.csi.aws.com", parameters: { type } }, { name: "gp3" });
      expect(replaced(sc("gp3"), sc("io2"))?.because).to.deep.equal(["parameters"]);
    });

    it("patch resources change everything but their identity in place", () => {
      const patch = (data: Record<string, string>) => resource("kubernetes:core/v1:ConfigMapPatch", "cm-patch", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "apps" }, data });
      expect(replaced(patch({ a: "1" }), patch({ a: "2" }))).to.equal(undefined);
    });

    it("objects of a helm.v3.Release are updated by Helm, not replaced; a helm.v4.Chart's objects follow the provider's rules", () => {
      const rendered = (parent: string, image: string) => object("Job", { spec: { template: template(image) } }, undefined, {
        parent,
        renderedFrom: { release: "kps", namespace: "monitoring", chart: "kube-prometheus-stack", version: "1.0.0" },
      });
      const v3 = "urn:pulumi:staging::platform::platform:monitoring:KubePrometheusStack$kubernetes:helm.sh/v3:Release::kps";
      const v4 = "urn:pulumi:staging::platform::platform:monitoring:BlackboxExporter$kubernetes:helm.sh/v4:Chart::blackbox";
      expect(replaced(rendered(v3, "a:1"), rendered(v3, "a:2"))).to.equal(undefined);
      expect(replaced(rendered(v4, "a:1"), rendered(v4, "a:2"))?.because).to.deep.equal(["spec.template"]);
    });
  });

  describe("the Kubernetes provider and other packages", () => {
    const quota = object("ResourceQuota", { spec: { hard: { pods: "60" } } });
    const settings = { context: "arn:aws:eks:eu-west-1:210987654321:cluster/staging", clusterIdentifier: "210987654321/eu-west-1/staging", deleteUnreachable: false };

    it("a new clusterIdentifier replaces the provider and, with it, every object it manages", () => {
      const diff = diffPlans(record(provider(settings), quota), record(provider({ ...settings, clusterIdentifier: "123456789012/eu-west-1/prod" }), quota));
      expect(diff.changed.map((c) => [c.resource.name, c.replacement?.because])).to.deep.equal([
        ["platform-cluster", ["clusterIdentifier"]],
        ["platform-resourcequota", ["its provider platform-cluster is replaced"]],
      ]);
    });

    it("a renamed context with the same clusterIdentifier updates the provider only; without an identifier it replaces", () => {
      const renamed = diffPlans(record(provider(settings), quota), record(provider({ ...settings, context: "staging" }), quota));
      expect(renamed.changed.map((c) => [c.resource.name, c.replacement])).to.deep.equal([["platform-cluster", undefined]]);
      const { clusterIdentifier: _, ...bare } = settings;
      const unidentified = diffPlans(record(provider(bare), quota), record(provider({ ...bare, context: "staging" }), quota));
      expect(unidentified.changed.map((c) => [c.resource.name, c.replacement?.because])).to.deep.equal([
        ["platform-cluster", ["context"]],
        ["platform-resourcequota", ["its provider platform-cluster is replaced"]],
      ]);
    });

    it("random resources are replaced by any input change (pulumi-random marks every input ForceNew)", () => {
      const password = (length: number) => resource("random:index/randomPassword:RandomPassword", "salt", { length, special: false }, { provider: undefined });
      expect(replaced(password(32), password(40))).to.deep.equal({ because: ["length"], deleteBeforeReplace: false });
    });

    it("AWS changes are listed as updates, and the diff says that it cannot tell", () => {
      const bucket = (name: string) => resource("aws:s3/bucket:Bucket", "backups", { bucket: name }, { provider: undefined });
      const text = formatDiff(diffPlans(record(bucket("a")), record(bucket("b"))));
      expect(text).to.equal(
        '~ aws:s3/bucket:Bucket backups\n    ~ inputs.bucket: "a" => "b"\n' +
          "note: 1 changed resource of aws shown as updates: the offline diff knows the replacement rules of Kubernetes and random only, pulumi preview decides for the others\n" +
          "0 to add, 0 to delete, 1 to update, 0 to replace\n",
      );
    });
  });

  it("formatDiff marks replacements `+-` with the fields that force them, as pulumi preview does", () => {
    const before = object("Job", { spec: { template: template("a:1") } });
    const after = object("Job", { spec: { template: template("a:2") } });
    expect(formatDiff(diffPlans(record(provider({}), before), record(provider({}), after)))).to.equal(
      "+- kubernetes:batch/v1:Job platform-job (replace, deleting the old object first: spec.template)\n" +
        '    ~ inputs.spec.template.spec.containers[0].image: "a:1" => "a:2"\n' +
        "0 to add, 0 to delete, 0 to update, 1 to replace\n",
    );
  });

  it("staging's blue-green promotion: the gate and scale-down Jobs are replaced (new names), Deployments and Services updated", async () => {
    const flip = (values: Record<string, string>) => {
      const apps = JSON.parse(values["platform:apps"]);
      apps[0].activeColor = apps[0].activeColor === "green" ? "blue" : "green";
      values["platform:apps"] = JSON.stringify(apps);
    };
    const text = formatDiff(diffPlans(await runProgram("staging", { config: engineConfig("staging") }), await runProgram("staging", { config: engineConfig("staging", flip) })));
    const headers = text.split("\n").filter((line) => /^(\+-|~|\+|-) /.test(line));
    expect(headers).to.deep.equal([
      "~ kubernetes:apps/v1:Deployment platform-app-api-blue",
      "~ kubernetes:apps/v1:Deployment platform-app-api-green",
      "+- kubernetes:batch/v1:Job platform-app-api-gate (replace: metadata.name, spec.template)",
      "+- kubernetes:batch/v1:Job platform-app-api-scale-down-delay (replace: metadata.name)",
      "~ kubernetes:core/v1:Service platform-app-api-active",
      "~ kubernetes:core/v1:Service platform-app-api-preview",
    ]);
    expect(text.trimEnd().split("\n").at(-1)).to.equal("0 to add, 0 to delete, 4 to update, 2 to replace");
  });
});
