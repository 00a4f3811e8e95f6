import { expect } from "chai";
import type { RecordedResource } from "../../plan/mocks";
import { loadPackConfig, runPolicies } from "../../policy/offline";
import { planStack, STACKS } from "../harness";
import { deployment, type FixtureResource, goodContainer, messagesOf } from "./fixtures";

const POLICY = "k8s-limit-range-admits";

function limitRange(limits: Record<string, unknown>, namespace = "apps", ...others: Record<string, unknown>[]): FixtureResource {
  return {
    type: "kubernetes:core/v1:LimitRange",
    name: `${namespace}-limits`,
    inputs: { apiVersion: "v1", kind: "LimitRange", metadata: { name: "platform-container-defaults", namespace }, spec: { limits: [{ type: "Container", ...limits }, ...others] } },
  };
}

const RANGE = {
  default: { cpu: "500m", memory: "512Mi" },
  defaultRequest: { cpu: "100m", memory: "128Mi" },
  max: { cpu: "1", memory: "1Gi" },
  min: { cpu: "50m", memory: "64Mi" },
};

const sized = (name: string, requests: Record<string, string>, limits: Record<string, string>) => ({ ...goodContainer(name), resources: { requests, limits } });

describe(`policy: ${POLICY}`, () => {
  it("passes containers within the range, and one without resources, which gets the defaults", async () => {
    const bare = { name: "bare", image: "ghcr.io/example/bare:1.0.0" };
    expect(await messagesOf(POLICY, [limitRange(RANGE), deployment("api", { containers: [goodContainer(), bare] })])).to.deep.equal([]);
  });

  it("names each container that does not fit, once, with every figure out of range and the bound it passes", async () => {
    const resources = [
      limitRange(RANGE),
      deployment("api", {
        initContainers: [sized("migrate", { cpu: "10m", memory: "128Mi" }, { cpu: "500m", memory: "256Mi" })],
        containers: [goodContainer(), sized("cache", { cpu: "100m", memory: "2Gi" }, { cpu: "2", memory: "2Gi" })],
      }),
    ];
    expect(await messagesOf(POLICY, resources)).to.deep.equal([
      'Deployment apps/api: container "migrate" does not fit the LimitRange of namespace apps: requests.cpu 10m below its minimum 50m; the API server would refuse every pod it makes: change the container or the LimitRange',
      'Deployment apps/api: container "cache" does not fit the LimitRange of namespace apps: limits.cpu 2 above its maximum 1, limits.memory 2Gi above its maximum 1Gi; the API server would refuse every pod it makes: change the container or the LimitRange',
    ]);
  });

  // A request is never above its limit, so the request below the minimum is the one to name.
  it("takes a missing request from the container's limit, as the API server does", async () => {
    const onlyLimits = { ...goodContainer("api"), resources: { limits: { cpu: "20m", memory: "256Mi" } } };
    expect(await messagesOf(POLICY, [limitRange(RANGE), deployment("api", { containers: [onlyLimits] })])).to.deep.equal([
      'Deployment apps/api: container "api" does not fit the LimitRange of namespace apps: requests.cpu 20m below its minimum 50m; the API server would refuse every pod it makes: change the container or the LimitRange',
    ]);
  });

  it("checks the pods the Prometheus operator makes, and holds no container to another namespace's range", async () => {
    const prometheus: FixtureResource = {
      type: "kubernetes:monitoring.coreos.com/v1:Prometheus",
      name: "prometheus",
      inputs: { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "k8s", namespace: "apps" }, spec: { resources: { requests: { cpu: "1" }, limits: { cpu: "4" } } } },
    };
    const elsewhere = deployment("big", { containers: [sized("big", { cpu: "4", memory: "4Gi" }, { cpu: "4", memory: "4Gi" })] }, { replicas: 2 }, "batch");
    expect(await messagesOf(POLICY, [limitRange(RANGE), prometheus, elsewhere])).to.deep.equal([
      'Prometheus apps/k8s: container "prometheus" does not fit the LimitRange of namespace apps: limits.cpu 4 above its maximum 1; the API server would refuse every pod it makes: change the container or the LimitRange',
    ]);
  });

  // Each container is within the Container entry; api's two together (the bare one at the defaults) are not within
  // the Pod entry, and migrating's init container (600Mi) stands for its pod, above the minimum its container alone is not.
  it("checks an entry of type Pod against the pod's containers together, the largest init container standing for them if larger", async () => {
    const bare = { name: "bare", image: "ghcr.io/example/bare:1.0.0" };
    const podEntry = { type: "Pod", max: { cpu: "800m", memory: "1Gi" }, min: { memory: "512Mi" } };
    const api = deployment("api", { containers: [goodContainer(), bare] });
    const small = deployment("small", { containers: [sized("small", { cpu: "100m", memory: "128Mi" }, { cpu: "200m", memory: "256Mi" })] });
    const migrating = deployment("migrating", {
      initContainers: [sized("migrate", { cpu: "100m", memory: "600Mi" }, { cpu: "200m", memory: "600Mi" })],
      containers: [sized("small", { cpu: "100m", memory: "128Mi" }, { cpu: "200m", memory: "256Mi" })],
    });
    expect(await messagesOf(POLICY, [limitRange(RANGE, "apps", podEntry), api, small, migrating])).to.deep.equal([
      "Deployment apps/api: its pod (all its containers together) does not fit the LimitRange of namespace apps: limits.cpu 1000m above its maximum 800m, requests.memory 256Mi below its minimum 512Mi; the API server would refuse every pod it makes: change the containers or the LimitRange",
      "Deployment apps/small: its pod (all its containers together) does not fit the LimitRange of namespace apps: requests.memory 128Mi below its minimum 512Mi; the API server would refuse every pod it makes: change the containers or the LimitRange",
    ]);
  });

  it("checks an entry of type PersistentVolumeClaim against every claim: PersistentVolumeClaims, a StatefulSet's templates, the operator's storage", async () => {
    const claimEntry = { type: "PersistentVolumeClaim", max: { storage: "50Gi" }, min: { storage: "1Gi" } };
    const claim = (name: string, storage: string) => ({ metadata: { name }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage } } } });
    const pvc: FixtureResource = { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "scratch", inputs: { apiVersion: "v1", kind: "PersistentVolumeClaim", ...claim("scratch", "512Mi"), metadata: { name: "scratch", namespace: "apps" } } };
    const statefulSet: FixtureResource = {
      type: "kubernetes:apps/v1:StatefulSet",
      name: "store",
      inputs: {
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "store", namespace: "apps" },
        spec: { replicas: 1, selector: { matchLabels: { app: "store" } }, template: { metadata: { labels: { app: "store" } }, spec: { containers: [goodContainer("store")] } }, volumeClaimTemplates: [claim("data", "20Gi")] },
      },
    };
    const prometheus: FixtureResource = {
      type: "kubernetes:monitoring.coreos.com/v1:Prometheus",
      name: "prometheus",
      inputs: { apiVersion: "monitoring.coreos.com/v1", kind: "Prometheus", metadata: { name: "k8s", namespace: "apps" }, spec: { resources: goodContainer().resources, storage: { volumeClaimTemplate: { spec: claim("", "110Gi").spec } } } },
    };
    expect(await messagesOf(POLICY, [limitRange(RANGE, "apps", claimEntry), pvc, statefulSet, prometheus])).to.deep.equal([
      'PersistentVolumeClaim apps/scratch: claim "scratch" does not fit the LimitRange of namespace apps: requests.storage 512Mi below its minimum 1Gi; the API server would refuse the claim: change its size or the LimitRange',
      'Prometheus apps/k8s: claim "storage.volumeClaimTemplate" does not fit the LimitRange of namespace apps: requests.storage 110Gi above its maximum 50Gi; the API server would refuse the claim: change its size or the LimitRange',
    ]);
  });

  for (const stack of STACKS) {
    it(`${stack}: a namespace's LimitRange lowered below the charts' containers is reported for each of them (cert-manager's three Deployments)`, async () => {
      const plan = await planStack(stack);
      const lowered = (r: RecordedResource): RecordedResource => {
        const metadata = r.inputs.metadata as { namespace?: string };
        if (r.type !== "kubernetes:core/v1:LimitRange" || metadata.namespace !== "cert-manager") return r;
        const spec = r.inputs.spec as { limits: Record<string, unknown>[] };
        return { ...r, inputs: { ...r.inputs, spec: { limits: spec.limits.map((l) => ({ ...l, max: { cpu: "10m", memory: "16Mi" }, default: { cpu: "10m", memory: "16Mi" }, defaultRequest: { cpu: "5m", memory: "8Mi" } })) } } };
      };
      const report = await runPolicies({ ...plan.record, resources: plan.resources.map(lowered) }, loadPackConfig(stack));
      const found = report.violations.filter((v) => v.policy === POLICY);
      expect(found.map((v) => v.message.split(" does not fit")[0])).to.deep.equal([
        'Deployment cert-manager/cert-manager: container "cert-manager-controller"',
        'Deployment cert-manager/cert-manager-cainjector: container "cert-manager-cainjector"',
        'Deployment cert-manager/cert-manager-webhook: container "cert-manager-webhook"',
      ]);
      for (const v of found) expect(v.message).to.match(/: limits\.cpu \S+ above its maximum 10m, limits\.memory \S+ above its maximum 16Mi; /);
      expect(new Set(found.map((v) => v.enforcementLevel))).to.deep.equal(new Set(["mandatory"]));
    });
  }
});
