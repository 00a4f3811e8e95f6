import { expect } from "chai";
import { loadPackConfig } from "../../policy/offline";
import { deployment, type FixtureResource, messagesOf, pdb, violations } from "./fixtures";

const LABELS = {
  "platform.io/team": "platform",
  "platform.io/environment": "production",
  "pod-security.kubernetes.io/enforce": "restricted",
};

const namespace = (name: string, labels: Record<string, string> = LABELS): FixtureResource => ({
  type: "kubernetes:core/v1:Namespace",
  name: `${name}-ns`,
  inputs: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } },
});

const networkPolicy = (name: string, ns: string, spec: Record<string, unknown>): FixtureResource => ({
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  name: `${ns}-${name}`,
  inputs: { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace: ns }, spec },
});

const DENY_ALL = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };

const service = (name: string, ns: string, type: string): FixtureResource => ({
  type: "kubernetes:core/v1:Service",
  name: `${name}-svc`,
  inputs: { apiVersion: "v1", kind: "Service", metadata: { name, namespace: ns }, spec: { type, ports: [{ port: 443 }] } },
});

const hpa = (target: string, minReplicas: number): FixtureResource => ({
  type: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  name: `${target}-hpa`,
  inputs: {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: target, namespace: "apps" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: target }, minReplicas, maxReplicas: 10 },
  },
});

describe("policy: cluster rules", () => {
  describe("k8s-namespace-labels", () => {
    const production = { "k8s-namespace-labels": { expectedLabels: { "platform.io/environment": "production" } } };

    it("passes a namespace with the required labels and this stack's environment", async () => {
      expect(await messagesOf("k8s-namespace-labels", [namespace("apps")], production)).to.deep.equal([]);
    });

    it("reports each missing label and a label with another stack's value", async () => {
      const resources = [namespace("apps", { "platform.io/environment": "staging" }), namespace("jobs", { "platform.io/team": "data" })];
      expect(await messagesOf("k8s-namespace-labels", resources, production)).to.deep.equal([
        "Namespace apps is missing the required label platform.io/team",
        "Namespace apps is missing the required label pod-security.kubernetes.io/enforce",
        'Namespace apps has platform.io/environment: "staging"; this stack requires "production"',
        "Namespace jobs is missing the required label platform.io/environment",
        "Namespace jobs is missing the required label pod-security.kubernetes.io/enforce",
      ]);
    });

    it("takes the required label keys from the pack config", async () => {
      const config = { "k8s-namespace-labels": { requiredLabels: ["platform.io/cost-center"] } };
      expect(await messagesOf("k8s-namespace-labels", [namespace("apps")], config)).to.deep.equal([
        "Namespace apps is missing the required label platform.io/cost-center",
      ]);
    });
  });

  describe("k8s-namespace-default-deny", () => {
    it("passes a namespace whose NetworkPolicies include a deny-all in both directions", async () => {
      const resources = [
        namespace("apps"),
        networkPolicy("allow-dns", "apps", { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ port: 53, protocol: "UDP" }] }] }),
        networkPolicy("default-deny", "apps", DENY_ALL),
      ];
      expect(await messagesOf("k8s-namespace-default-deny", resources)).to.deep.equal([]);
    });

    it("reports namespaces whose only policies select some pods, deny one direction, allow traffic or sit elsewhere", async () => {
      const resources = [
        namespace("apps"),
        networkPolicy("default-deny", "apps", { podSelector: { matchLabels: { app: "api" } }, policyTypes: ["Ingress", "Egress"] }),
        namespace("jobs"),
        networkPolicy("deny-ingress", "jobs", { podSelector: {}, policyTypes: ["Ingress"] }),
        networkPolicy("allow-all", "jobs", { ...DENY_ALL, ingress: [{}] }),
        namespace("web"),
        networkPolicy("default-deny", "other", DENY_ALL),
      ];
      const reported = (await violations(resources)).filter((v) => v.policy === "k8s-namespace-default-deny");
      expect(reported.map((v) => [v.urn, v.message])).to.deep.equal(
        ["apps", "jobs", "web"].map((ns) => [
          `urn:pulumi:test::platform::kubernetes:core/v1:Namespace::${ns}-ns`,
          `Namespace ${ns} has no default-deny NetworkPolicy; add one with podSelector: {} and policyTypes [Ingress, Egress] and no rules`,
        ]),
      );
    });
  });

  describe("k8s-no-unapproved-load-balancers", () => {
    it("passes ClusterIP Services and the LoadBalancers the config allows", async () => {
      const config = { "k8s-no-unapproved-load-balancers": { allowedLoadBalancers: ["ingress-nginx/controller"] } };
      const resources = [service("api", "apps", "ClusterIP"), service("controller", "ingress-nginx", "LoadBalancer")];
      expect(await messagesOf("k8s-no-unapproved-load-balancers", resources, config)).to.deep.equal([]);
    });

    it("reports a LoadBalancer Service the config does not list (none by default)", async () => {
      expect(await messagesOf("k8s-no-unapproved-load-balancers", [service("api", "apps", "LoadBalancer")])).to.deep.equal([
        'Service apps/api is of type LoadBalancer, which this stack does not allow; route it through the ingress controller or add "apps/api" to allowedLoadBalancers in the pack config',
      ]);
    });
  });

  describe("k8s-replicas-and-disruption-budget", () => {
    it("passes two replicas with a budget that selects them and allows one eviction", async () => {
      const resources = [deployment("api"), pdb("api", { matchLabels: { app: "api" } })];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources)).to.deep.equal([]);
    });

    it("takes the replica floor from a HorizontalPodAutoscaler and matches budgets by expression", async () => {
      const resources = [
        deployment("api", undefined, {}),
        hpa("api", 3),
        pdb("api", { matchExpressions: [{ key: "app", operator: "In", values: ["api", "web"] }] }, { minAvailable: 2 }),
      ];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources)).to.deep.equal([]);
    });

    it("reports a single replica (unset means 1) and a missing budget", async () => {
      const resources = [deployment("api", undefined, {}), pdb("web", { matchLabels: { app: "web" } }), pdb("api", { matchLabels: { app: "api" } }, {}, "other")];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources)).to.deep.equal([
        "Deployment apps/api runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage",
        "Deployment apps/api has no PodDisruptionBudget selecting its pods; add one with maxUnavailable: 1",
      ]);
    });

    it("reports an autoscaler floor below the minimum and budgets that forbid every eviction", async () => {
      const resources = [
        deployment("api", undefined, {}),
        hpa("api", 1),
        pdb("api-zero", { matchLabels: { app: "api" } }, { maxUnavailable: 0 }),
        deployment("web", undefined, { replicas: 3 }),
        pdb("web-all", { matchLabels: { app: "web" } }, { minAvailable: 3 }),
      ];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources, { "k8s-replicas-and-disruption-budget": { minReplicas: 3 } })).to.deep.equal([
        "Deployment apps/api runs 1 replica; run at least 3 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage",
        "PodDisruptionBudget apps/api-zero allows no voluntary eviction of Deployment apps/api (maxUnavailable: 0); node drains would block, allow at least one",
        "PodDisruptionBudget apps/web-all allows no voluntary eviction of Deployment apps/web (minAvailable: 3 of 3 replicas); node drains would block, allow at least one",
      ]);
    });

    it("leaves out a workload scaled to zero on purpose, but not one that leaves replicas unset", async () => {
      const idle = [deployment("api-blue", undefined, { replicas: 0 })];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", idle)).to.deep.equal([]);
    });

    it("rounds percentages up as Kubernetes does: minAvailable 50% of one replica blocks, maxUnavailable 10% does not", async () => {
      const resources = [
        deployment("api", undefined, { replicas: 1 }),
        pdb("api", { matchLabels: { app: "api" } }, { minAvailable: "50%" }),
        deployment("web", undefined, { replicas: 1 }),
        pdb("web", { matchLabels: { app: "web" } }, { maxUnavailable: "10%" }),
      ];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources, { "k8s-replicas-and-disruption-budget": { minReplicas: 1 } })).to.deep.equal([
        "PodDisruptionBudget apps/api allows no voluntary eviction of Deployment apps/api (minAvailable: 50% of 1 replica); node drains would block, allow at least one",
      ]);
    });

    it("skips the workloads the config names as singletons (patterns with *), and only those", async () => {
      const config = { "k8s-replicas-and-disruption-budget": { singletons: ["apps/*-exporter"] } };
      const resources = [deployment("orders-exporter", undefined, { replicas: 1 }), deployment("api", undefined, { replicas: 1 })];
      expect(await messagesOf("k8s-replicas-and-disruption-budget", resources, config)).to.deep.equal([
        "Deployment apps/api runs 1 replica; run at least 2 (spec.replicas or its HorizontalPodAutoscaler's minReplicas) so losing one pod is not an outage",
        "Deployment apps/api has no PodDisruptionBudget selecting its pods; add one with maxUnavailable: 1",
      ]);
    });

    it("both stacks name the chart-rendered singletons: exporters, Pushgateway, Grafana, kube-state-metrics, the operator, Loki's caches, Tempo, external-dns", () => {
      for (const stack of ["staging", "production"]) {
        expect(loadPackConfig(stack)["k8s-replicas-and-disruption-budget"]).to.deep.include({
          singletons: [
            "monitoring/*-prometheus-postgres-exporter",
            "monitoring/*-prometheus-redis-exporter",
            "monitoring/pushgateway-prometheus-pushgateway",
            "monitoring/kube-prometheus-stack-grafana",
            "monitoring/kube-prometheus-stack-kube-state-metrics",
            "monitoring/kube-prometheus-stack-operator",
            "monitoring/loki-chunks-cache",
            "monitoring/loki-results-cache",
            "monitoring/tempo",
            "external-dns/external-dns",
          ],
        });
      }
    });

    it("is mandatory under the production pack config and advisory under staging's", async () => {
      const single = [deployment("api", undefined, { replicas: 1 }), pdb("api", { matchLabels: { app: "api" } })];
      const levels = async (stack: string) =>
        (await violations(single, loadPackConfig(stack))).filter((v) => v.policy === "k8s-replicas-and-disruption-budget").map((v) => v.enforcementLevel);
      expect(await levels("production")).to.deep.equal(["mandatory"]);
      expect(await levels("staging")).to.deep.equal(["advisory"]);
    });
  });
});
