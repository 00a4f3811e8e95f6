import { expect } from "chai";
import { namespaceManifests, type NamespaceSpec } from "../../components/core";
import { planStack, STACKS } from "../harness";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const dnsPeer = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

const expected = {
  staging: {
    quota: {
      apps: { "requests.cpu": "4", "limits.memory": "16Gi", pods: "60" },
      monitoring: { "requests.memory": "10Gi", "limits.cpu": "10500m", pods: "45" },
      "node-agents": { "requests.cpu": "600m", "limits.cpu": "5500m", pods: "15", persistentvolumeclaims: "0" },
    },
    appsDefaultRequest: { cpu: "100m", memory: "256Mi" },
  },
  production: {
    quota: {
      apps: { "requests.cpu": "16", "limits.memory": "64Gi", pods: "200" },
      monitoring: { "requests.memory": "40Gi", "limits.cpu": "36", pods: "105" },
      "node-agents": { "requests.cpu": "3", "limits.cpu": "28", pods: "45", persistentvolumeclaims: "0" },
    },
    appsDefaultRequest: { cpu: "250m", memory: "512Mi" },
  },
} as const;

describe("PlatformNamespace", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("creates exactly the configured namespaces, each as its own component", async () => {
        const plan = await planStack(stack);
        const namespaces = plan.ofType("kubernetes:core/v1:Namespace").map((r) => (r.inputs.metadata as { name: string }).name);
        expect(namespaces.sort()).to.deep.equal(["apps", "backups", "cert-manager", "external-dns", "external-secrets", "gateway", "monitoring", "node-agents"]);
        const components = plan.ofType("platform:core:PlatformNamespace").map((r) => r.name);
        expect(components.sort()).to.deep.equal([
          "platform-apps",
          "platform-backups",
          "platform-cert-manager",
          "platform-external-dns",
          "platform-external-secrets",
          "platform-gateway",
          "platform-monitoring",
          "platform-node-agents",
        ]);
        const root = plan.one("platform:index:Platform", "platform");
        for (const c of plan.ofType("platform:core:PlatformNamespace")) expect(c.parent).to.equal(root.urn);
      });

      it("labels namespaces with environment, team and Pod Security Admission levels", async () => {
        const plan = await planStack(stack);
        const apps = plan.object("Namespace", undefined, "apps");
        expect(apps.metadata.labels).to.deep.equal({
          "app.kubernetes.io/managed-by": "pulumi",
          "app.kubernetes.io/part-of": "platform",
          "platform.io/environment": stack,
          "platform.io/team": "platform",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        });
        // Prometheus, Alertmanager, Grafana, Loki, Tempo and the exporters all run as restricted demands.
        const monitoring = plan.object("Namespace", undefined, "monitoring");
        expect(monitoring.metadata.labels).to.include({
          "platform.io/team": "infrastructure",
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        });
        // The one privileged namespace: it exists for host access, so it does not warn about it, but audits it.
        const nodeAgents = plan.object("Namespace", undefined, "node-agents");
        expect(nodeAgents.metadata.labels).to.deep.equal({
          "app.kubernetes.io/managed-by": "pulumi",
          "app.kubernetes.io/part-of": "platform",
          "platform.io/environment": stack,
          "platform.io/team": "infrastructure",
          "pod-security.kubernetes.io/enforce": "privileged",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/audit": "baseline",
          "pod-security.kubernetes.io/warn": "privileged",
        });
        const privileged = plan.ofType("kubernetes:core/v1:Namespace").filter((r) => (r.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"] !== "restricted");
        expect(privileged.map((r) => (r.inputs.metadata as { name: string }).name)).to.deep.equal(["node-agents"]);
      });

      it("sets the stack's quotas and container defaults", async () => {
        const plan = await planStack(stack);
        for (const ns of ["apps", "monitoring", "node-agents"] as const) {
          const quota = plan.object("ResourceQuota", ns, "platform-quota");
          expect(quota.spec.hard).to.include(expected[stack].quota[ns]);
          // What the quota was sized for: the policy pack's k8s-quota-holds-demand counts DaemonSets that often.
          expect(quota.metadata.annotations).to.deep.equal({ "platform.io/sized-for-nodes": stack === "production" ? "20" : "6" });
          expect(quota.spec.hard["services.loadbalancers"]).to.equal("0");
        }
        const limits = plan.object("LimitRange", "apps", "platform-container-defaults");
        expect(limits.spec.limits).to.have.lengthOf(1);
        expect(limits.spec.limits[0].type).to.equal("Container");
        expect(limits.spec.limits[0].defaultRequest).to.deep.equal(expected[stack].appsDefaultRequest);
      });

      it("denies all traffic by default in every namespace", async () => {
        const plan = await planStack(stack);
        for (const ns of ["apps", "backups", "monitoring", "node-agents"]) {
          const deny = plan.object("NetworkPolicy", ns, "default-deny");
          expect(deny.spec).to.deep.equal({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        }
      });

      it("allows same-namespace traffic, DNS to kube-dns, and scrapes from the monitoring namespace", async () => {
        const plan = await planStack(stack);
        const same = plan.object("NetworkPolicy", "apps", "allow-same-namespace");
        expect(same.spec.ingress).to.deep.equal([{ from: [{ podSelector: {} }] }]);
        expect(same.spec.egress).to.deep.equal([{ to: [{ podSelector: {} }] }]);
        const dns = plan.object("NetworkPolicy", "apps", "allow-dns");
        expect(dns.spec.egress).to.deep.equal([
          { to: [dnsPeer], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
        ]);
        const scrape = plan.object("NetworkPolicy", "apps", "allow-monitoring-scrape");
        expect(scrape.spec.ingress).to.deep.equal([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] }]);
        // Prometheus' own namespace is covered by allow-same-namespace.
        expect(plan.find(NETPOL, "platform-monitoring-allow-monitoring-scrape")).to.equal(undefined);
        // The node agents' namespace admits no monitoring pod wholesale: Alloy's own policy admits Prometheus
        // on its metrics port (tests/monitoring/tracing-pipeline.spec.ts).
        expect(plan.find(NETPOL, "platform-node-agents-allow-monitoring-scrape")).to.equal(undefined);
        expect(plan.object("NetworkPolicy", "node-agents", "allow-dns").spec).to.deep.equal(dns.spec);
      });

      it("opens only the configured extra paths: monitoring out to all namespaces, backups to apps (no ingress controller is admitted)", async () => {
        const plan = await planStack(stack);
        expect(plan.find(NETPOL, "platform-apps-allow-ingress-from-namespaces")).to.equal(undefined);
        expect(plan.object("NetworkPolicy", "monitoring", "allow-egress-all-namespaces").spec.egress).to.deep.equal([{ to: [{ namespaceSelector: {} }] }]);
        expect(plan.object("NetworkPolicy", "backups", "allow-egress-to-namespaces").spec.egress).to.deep.equal([
          { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }] },
        ]);
        expect(plan.find(NETPOL, "platform-backups-allow-ingress-from-namespaces")).to.equal(undefined);
        expect(plan.find(NETPOL, "platform-apps-allow-egress-all-namespaces")).to.equal(undefined);
        for (const allowance of ["allow-ingress-from-namespaces", "allow-egress-all-namespaces", "allow-egress-to-namespaces", "allow-egress-internet"]) {
          expect(plan.find(NETPOL, `platform-node-agents-${allowance}`), allowance).to.equal(undefined);
        }
      });

      it("orders every namespaced object after its Namespace", async () => {
        const plan = await planStack(stack);
        const ns = plan.one("kubernetes:core/v1:Namespace", "platform-apps-ns");
        const children = plan.resources.filter((r) => r.parent === plan.one("platform:core:PlatformNamespace", "platform-apps").urn && r.urn !== ns.urn);
        expect(children).to.have.lengthOf(7);
        for (const child of children) expect(child.dependencies, child.name).to.include(ns.urn);
      });
    });
  }

  describe("namespaceManifests (pure builder)", () => {
    const base: NamespaceSpec = {
      name: "team-a",
      environment: "staging",
      team: "a",
      podSecurity: "baseline",
      quota: { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", pods: 10, persistentVolumeClaims: 1, loadBalancers: 0 },
      limitRange: { defaultRequest: { cpu: "10m", memory: "16Mi" }, defaultLimit: { cpu: "100m", memory: "64Mi" }, maxLimit: { cpu: "1", memory: "1Gi" } },
      maxNodes: 3,
      monitoringNamespace: "monitoring",
      nodeAgents: false,
      ingressFromNamespaces: [],
      egress: { internet: false, allNamespaces: false, namespaces: [] },
    };

    it("a namespace with no extra allowances gets deny, same-namespace, DNS and scrape policies only", () => {
      const names = namespaceManifests(base).networkPolicies.map((p) => p.metadata!.name);
      expect(names).to.deep.equal(["default-deny", "allow-same-namespace", "allow-dns", "allow-monitoring-scrape"]);
    });

    it("baseline namespaces audit and warn at restricted", () => {
      expect(namespaceManifests(base).namespace.metadata!.labels).to.include({
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
      });
    });

    it("a privileged namespace audits and warns at baseline; the node agents' one audits only", () => {
      const privileged = { ...base, podSecurity: "privileged" as const };
      expect(namespaceManifests(privileged).namespace.metadata!.labels).to.include({
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/audit": "baseline",
        "pod-security.kubernetes.io/warn": "baseline",
      });
      expect(namespaceManifests({ ...privileged, nodeAgents: true }).namespace.metadata!.labels).to.include({
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/audit": "baseline",
        "pod-security.kubernetes.io/warn": "privileged",
      });
    });

    it("the node agents' namespace gets no blanket admission of the monitoring namespace", () => {
      const names = namespaceManifests({ ...base, nodeAgents: true }).networkPolicies.map((p) => p.metadata!.name);
      expect(names).to.deep.equal(["default-deny", "allow-same-namespace", "allow-dns"]);
    });

    it("admits another configured namespace through a separate, named policy", () => {
      const ingress = namespaceManifests({ ...base, ingressFromNamespaces: ["apps"] }).networkPolicies.find((p) => p.metadata!.name === "allow-ingress-from-namespaces");
      expect(ingress?.spec?.ingress).to.deep.equal([{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }] }]);
    });

    it("internet egress is a separate, named policy", () => {
      const internet = namespaceManifests({ ...base, egress: { ...base.egress, internet: true } }).networkPolicies.find(
        (p) => p.metadata!.name === "allow-egress-internet",
      );
      expect(internet?.spec?.egress).to.deep.equal([{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }]);
    });
  });
});
