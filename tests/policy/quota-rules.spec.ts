import { expect } from "chai";
import type { RecordedResource } from "../../plan/mocks";
import { loadPackConfig, runPolicies } from "../../policy/offline";
import { parseQuantity } from "../../policy/rules";
import { planStack, STACKS } from "../harness";
import { deployment, type FixtureResource, goodContainer, messagesOf, violations } from "./fixtures";

const POLICY = "k8s-quota-holds-demand";

function quota(hard: Record<string, string>, nodes?: number, namespace = "apps"): FixtureResource {
  return {
    type: "kubernetes:core/v1:ResourceQuota",
    name: `${namespace}-quota`,
    inputs: {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "platform-quota", namespace, ...(nodes !== undefined ? { annotations: { "platform.io/sized-for-nodes": String(nodes) } } : {}) },
      spec: { hard },
    },
  };
}

const limitRange: FixtureResource = {
  type: "kubernetes:core/v1:LimitRange",
  name: "apps-limits",
  inputs: {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "defaults", namespace: "apps" },
    spec: { limits: [{ type: "Container", defaultRequest: { cpu: "100m", memory: "256Mi" }, default: { cpu: "1", memory: "1Gi" } }] },
  },
};

function daemonSet(name: string, containers: Record<string, unknown>[]): FixtureResource {
  return {
    type: "kubernetes:apps/v1:DaemonSet",
    name: `${name}-ds`,
    inputs: { apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name, namespace: "apps" }, spec: { template: { spec: { containers } } } },
  };
}

// goodContainer: 100m/128Mi requests, 500m/256Mi limits.
const HARD = { "requests.cpu": "2", "requests.memory": "4Gi", "limits.cpu": "4", "limits.memory": "8Gi", pods: "20", persistentvolumeclaims: "0" };

describe(`policy: ${POLICY}`, () => {
  it("reads Kubernetes quantities", () => {
    expect([parseQuantity("250m"), parseQuantity("2"), parseQuantity("1.5"), parseQuantity("512Mi"), parseQuantity("1G"), parseQuantity("1e3"), parseQuantity("lots")]).to.deep.equal([
      0.25,
      2,
      1.5,
      512 * 2 ** 20,
      1e9,
      1000,
      undefined,
    ]);
  });

  it("passes a namespace whose quota holds every replica, the rollout surge and a DaemonSet pod per node", async () => {
    // 2 replicas + 1 surge pod (25% rounded up) + 4 nodes = 7 pods of 500m limits: 3.5 of 4 CPUs.
    const resources = [quota(HARD, 4), limitRange, deployment("api"), daemonSet("agent", [goodContainer("agent")])];
    expect(await messagesOf(POLICY, resources)).to.deep.equal([]);
  });

  it("reports each exceeded limit with the node count, the largest parts and what to change", async () => {
    const resources = [quota(HARD, 8), limitRange, deployment("api"), daemonSet("agent", [goodContainer("agent")])];
    expect(await messagesOf(POLICY, resources)).to.deep.equal([
      "namespace apps may need 5.5 of limits.cpu at 8 nodes, but its ResourceQuota allows 4 (largest: DaemonSet apps/agent 4, Deployment apps/api 1.5); raise the quota or lower what runs there",
    ]);
  });

  it("charges a container without resources the LimitRange defaults, and counts init containers as the pod's peak", async () => {
    const bare = { name: "bare", image: "ghcr.io/example/bare:1.0.0" };
    const bigInit = { ...goodContainer("init"), resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "3", memory: "256Mi" } } };
    const resources = [quota({ ...HARD, "limits.cpu": "5" }, 1), limitRange, deployment("api", { initContainers: [bigInit], containers: [bare] }, { replicas: 1 })];
    // 2 pods (1 + 1 surge), each max(init 3, containers 1) = 3 CPUs: 6 > 5.
    expect(await messagesOf(POLICY, resources)).to.deep.equal([
      "namespace apps may need 6 of limits.cpu at 1 node, but its ResourceQuota allows 5 (largest: Deployment apps/api 6); raise the quota or lower what runs there",
    ]);
  });

  it("asks for the node count when a namespace runs DaemonSets and its quota does not say", async () => {
    const resources = [quota(HARD), limitRange, daemonSet("agent", [goodContainer("agent")])];
    expect(await messagesOf(POLICY, resources)).to.deep.equal([
      "namespace apps runs DaemonSets, but its ResourceQuota does not say how many nodes it holds (annotation platform.io/sized-for-nodes)",
    ]);
  });

  it("counts LoadBalancer Services, and the one Envoy Gateway makes for an EnvoyProxy, against services.loadbalancers", async () => {
    const service = (name: string, type: string): FixtureResource => ({
      type: "kubernetes:core/v1:Service",
      name,
      inputs: { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "apps" }, spec: { type, ports: [{ port: 443 }] } },
    });
    const envoyProxy = (envoyService: Record<string, unknown>): FixtureResource => ({
      type: "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
      name: "proxy",
      inputs: { apiVersion: "gateway.envoyproxy.io/v1alpha1", kind: "EnvoyProxy", metadata: { name: "proxy", namespace: "apps" }, spec: { provider: { type: "Kubernetes", kubernetes: { envoyService } } } },
    });
    const hard = { ...HARD, "services.loadbalancers": "1" };
    expect(await messagesOf(POLICY, [quota(hard, 1), limitRange, service("web", "ClusterIP"), envoyProxy({ type: "LoadBalancer" })])).to.deep.equal([]);
    // Envoy Gateway's Service is a LoadBalancer unless the EnvoyProxy says otherwise.
    expect(await messagesOf(POLICY, [quota(hard, 1), limitRange, service("public", "LoadBalancer"), envoyProxy({})])).to.deep.equal([
      "namespace apps may need 2 of services.loadbalancers, but its ResourceQuota allows 1 (largest: Service apps/public 1, EnvoyProxy apps/proxy 1); raise the quota or lower what runs there",
    ]);
    expect(await messagesOf(POLICY, [quota(hard, 1), limitRange, envoyProxy({ type: "ClusterIP" })])).to.deep.equal([]);
  });

  // The API server refused such a claim beyond the quota, so the pod stayed Pending: the committed stacks' backup
  // and drill CronJobs never ran while the backups namespace admitted no claims.
  it("counts the claims of generic ephemeral volumes: a CronJob's for every attempt of each Job it keeps and of the one running", async () => {
    const scratch = { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } } } };
    const podSpec = { restartPolicy: "Never", containers: [goodContainer("job")], volumes: [scratch] };
    const cronJob = (name: string, spec: Record<string, unknown>, backoffLimit?: number): FixtureResource => ({
      type: "kubernetes:batch/v1:CronJob",
      name: `${name}-cronjob`,
      inputs: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name, namespace: "apps" },
        spec: { schedule: "0 2 * * *", ...spec, jobTemplate: { spec: { ...(backoffLimit === undefined ? {} : { backoffLimit }), template: { spec: podSpec } } } },
      },
    });
    const hard = { ...HARD, persistentvolumeclaims: "9" };
    // (1 kept successful + 1 kept failed + 1 running Job) x 2 attempts = 6; a Deployment's 2 replicas + 1 surge pod = 3.
    const kept = cronJob("backup", { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1 }, 1);
    const deployed = deployment("api", podSpec, { replicas: 2 });
    expect(await messagesOf(POLICY, [quota(hard, 1), limitRange, kept, deployed])).to.deep.equal([]);
    // Kubernetes' defaults: 3 successful and 1 failed Job kept, 6 retries: (3 + 1 + 1) x 7 = 35.
    expect(await messagesOf(POLICY, [quota(hard, 1), limitRange, cronJob("report", {})])).to.deep.equal([
      "namespace apps may need 35 of persistentvolumeclaims at 1 node, but its ResourceQuota allows 9 (largest: CronJob apps/report 35); raise the quota or lower what runs there",
    ]);
  });

  for (const stack of STACKS) {
    it(`${stack}: the backups namespace holds its CronJobs' scratch claims, and one claim less is reported`, async () => {
      const plan = await planStack(stack);
      const fewerClaims = (r: RecordedResource): RecordedResource => {
        const metadata = r.inputs.metadata as { namespace?: string };
        if (r.type !== "kubernetes:core/v1:ResourceQuota" || metadata.namespace !== "backups") return r;
        const spec = r.inputs.spec as { hard: Record<string, string | number> };
        expect(String(spec.hard.persistentvolumeclaims)).to.equal("12");
        return { ...r, inputs: { ...r.inputs, spec: { hard: { ...spec.hard, persistentvolumeclaims: "11" } } } };
      };
      const report = await runPolicies({ ...plan.record, resources: plan.resources.map(fewerClaims) }, loadPackConfig(stack));
      expect(report.violations.filter((v) => v.policy === POLICY).map((v) => [v.enforcementLevel, v.message])).to.deep.equal([
        [
          "mandatory",
          `namespace backups may need 12 of persistentvolumeclaims at ${stack === "staging" ? 6 : 20} nodes, but its ResourceQuota allows 11 (largest: CronJob backups/pg-backup-orders 6, CronJob backups/pg-restore-drill-orders 6); raise the quota or lower what runs there`,
        ],
      ]);
    });

    it(`${stack}: a gateway namespace quota of no load balancers is reported: the API server would refuse the Gateway's NLB Service`, async () => {
      const plan = await planStack(stack);
      const noLoadBalancers = (r: RecordedResource): RecordedResource => {
        const metadata = r.inputs.metadata as { namespace?: string };
        if (r.type !== "kubernetes:core/v1:ResourceQuota" || metadata.namespace !== "gateway") return r;
        const spec = r.inputs.spec as { hard: Record<string, string> };
        expect(spec.hard["services.loadbalancers"]).to.equal("1");
        return { ...r, inputs: { ...r.inputs, spec: { hard: { ...spec.hard, "services.loadbalancers": "0" } } } };
      };
      const report = await runPolicies({ ...plan.record, resources: plan.resources.map(noLoadBalancers) }, loadPackConfig(stack));
      const found = report.violations.filter((v) => v.policy === POLICY);
      expect(found.map((v) => [v.enforcementLevel, v.message])).to.deep.equal([
        [
          "mandatory",
          "namespace gateway may need 1 of services.loadbalancers, but its ResourceQuota allows 0 (largest: EnvoyProxy gateway/platform-proxy 1); raise the quota or lower what runs there",
        ],
      ]);
      // Untouched, both stacks' quotas hold their load balancers.
      expect((await runPolicies(plan.record, loadPackConfig(stack))).violations.filter((v) => v.policy === POLICY)).to.deep.equal([]);
    });
  }

  it("is mandatory in both stacks: a quota that refuses pods breaks staging as surely as production", async () => {
    const resources = [quota({ ...HARD, pods: "1" }, 1), limitRange, deployment("api")];
    for (const stack of ["staging", "production"]) {
      const levels = (await violations(resources, loadPackConfig(stack))).filter((v) => v.policy === POLICY).map((v) => v.enforcementLevel);
      expect(levels, stack).to.deep.equal(["mandatory"]);
    }
  });
});
