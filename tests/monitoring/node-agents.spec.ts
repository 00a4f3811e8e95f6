import { expect } from "chai";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { alloyNetworkPolicies } from "../../components/monitoring";
import { admits, admitsToAddress, type PodRef } from "../core/fixtures/network-paths";
import { planStack, type StackPlan, STACKS } from "../harness";

type Obj = Record<string, any>;

/** A rendered workload's pods as NetworkPolicies see them (namespace and template labels), and its container ports by name. */
function podsOf(plan: StackPlan, kind: string, namespace: string, name: string): PodRef & { ports: Record<string, number>; spec: Obj } {
  const workload = plan.object(kind, namespace, name);
  const spec = workload.spec.template.spec;
  const ports = Object.fromEntries(spec.containers.flatMap((c: Obj) => (c.ports ?? []).map((p: Obj) => [p.name, p.containerPort])));
  return { namespace, labels: workload.spec.template.metadata.labels, ports, spec };
}

/** Pods the Prometheus operator makes from the Prometheus object (its own labels on them). */
const PROMETHEUS: PodRef = {
  namespace: "monitoring",
  labels: { "app.kubernetes.io/name": "prometheus", "app.kubernetes.io/instance": "kube-prometheus-stack-prometheus", prometheus: "kube-prometheus-stack-prometheus" },
};
const KUBE_DNS: PodRef = { namespace: "kube-system", labels: { "k8s-app": "kube-dns" } };
const APP: PodRef = { namespace: "apps", labels: { "app.kubernetes.io/name": "api", "platform.io/color": "blue" } };
const BACKUP_JOB: PodRef = { namespace: "backups", labels: { "platform.io/component": "backup" } };
/** A node's address (where node-exporter listens, on the host network) and an EKS API server endpoint's. */
const NODE_ADDRESS = "10.0.1.12";
const API_SERVER_ADDRESS = "10.0.0.5";

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

describe("node agents: node-exporter and Alloy in their own namespace, and exactly their network paths", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      let plan: StackPlan;
      let policies: NetworkPolicy[];
      let alloy: ReturnType<typeof podsOf>;
      let nodeExporter: ReturnType<typeof podsOf>;
      let lokiGateway: ReturnType<typeof podsOf>;
      let loki: ReturnType<typeof podsOf>;
      let tempo: ReturnType<typeof podsOf>;
      let grafana: ReturnType<typeof podsOf>;
      before(async () => {
        plan = await planStack(stack);
        policies = plan.resources.filter((r) => r.inputs.kind === "NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy);
        alloy = podsOf(plan, "DaemonSet", "node-agents", "alloy");
        nodeExporter = podsOf(plan, "DaemonSet", "node-agents", "kube-prometheus-stack-prometheus-node-exporter");
        lokiGateway = podsOf(plan, "Deployment", "monitoring", "loki-gateway");
        loki = podsOf(plan, "StatefulSet", "monitoring", "loki");
        tempo = podsOf(plan, "StatefulSet", "monitoring", "tempo");
        grafana = podsOf(plan, "Deployment", "monitoring", "kube-prometheus-stack-grafana");
      });

      it("both DaemonSets run in node-agents: Alloy with its OTLP and metrics ports, node-exporter on the host network at 9100", () => {
        expect(alloy.ports).to.deep.equal({ "http-metrics": 12345, "otlp-grpc": 4317, "otlp-http": 4318 });
        expect(nodeExporter.spec.hostNetwork).to.equal(true);
        expect(nodeExporter.ports).to.deep.equal({ "http-metrics": 9100 });
        expect(plan.object("Service", "node-agents", "alloy").spec.ports.map((p: Obj) => p.port)).to.have.members([12345, 4317, 4318]);
      });

      it("Alloy's container is hardened (no capability, no escalation, read-only image, seccomp) and keeps its state on the node", () => {
        const spec = plan.object("DaemonSet", "node-agents", "alloy").spec.template.spec;
        const container = spec.containers.find((c: Obj) => c.name === "alloy");
        expect(container.securityContext).to.deep.equal({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: true,
          seccompProfile: { type: "RuntimeDefault" },
        });
        // Its positions and queues survive a restarted pod: a node folder, not the writable layer (/tmp/alloy).
        expect(container.args).to.include("--storage.path=/var/lib/alloy");
        const mount = container.volumeMounts.find((m: Obj) => m.mountPath === "/var/lib/alloy");
        expect(spec.volumes.find((v: Obj) => v.name === mount?.name)).to.deep.equal({ name: "alloy-storage", hostPath: { path: "/var/lib/alloy", type: "DirectoryOrCreate" } });
        // Any other path it wrote would fail on the read-only image: besides its ConfigMap (read-only whatever the
        // mount says), the storage folder is its only mount without readOnly.
        expect(container.volumeMounts.filter((m: Obj) => m.readOnly !== true).map((m: Obj) => m.mountPath)).to.have.members(["/etc/alloy", "/var/lib/alloy"]);
      });

      it("both DaemonSets reach every node, tainted ones included, and are placed ahead of the apps (system-node-critical)", () => {
        for (const agent of [alloy, nodeExporter]) {
          // A full node makes room for its agent by preempting an app pod; under memory pressure the agent goes last.
          expect(agent.spec.priorityClassName).to.equal("system-node-critical");
          // No key and no effect: every taint, NoExecute too. The chart defaults (none for Alloy, NoSchedule only
          // for node-exporter) left a dedicated, tainted node group without logs or node metrics.
          expect(agent.spec.tolerations).to.deep.equal([{ operator: "Exists" }]);
        }
        // Apps get no such priority: the agents would have nothing to preempt.
        expect(podsOf(plan, "Deployment", "apps", "api-green").spec.priorityClassName).to.equal(undefined);
      });

      it("the node agents' namespace holds exactly these policies, and the monitoring namespace admits Alloy at Loki's gateway and Tempo", () => {
        const names = (namespace: string) => policies.filter((p) => p.metadata!.namespace === namespace).map((p) => p.metadata!.name).sort();
        expect(names("node-agents")).to.deep.equal([
          "allow-dns",
          "allow-same-namespace",
          "alloy-egress-to-api-server",
          "alloy-egress-to-loki-gateway",
          "alloy-egress-to-tempo",
          "alloy-metrics-from-prometheus",
          "alloy-otlp-from-app-namespaces",
          "default-deny",
        ]);
        const alloyPeer = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "node-agents" } }, podSelector: { matchLabels: alloy.labels } };
        expect(plan.object("NetworkPolicy", "monitoring", "loki-gateway-from-alloy").spec).to.deep.equal({
          podSelector: { matchLabels: { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki", "app.kubernetes.io/component": "gateway" } },
          policyTypes: ["Ingress"],
          ingress: [{ from: [alloyPeer], ports: [{ protocol: "TCP", port: lokiGateway.ports.http }] }],
        });
        expect(plan.object("NetworkPolicy", "monitoring", "tempo-otlp-from-alloy").spec).to.deep.equal({
          podSelector: { matchLabels: { "app.kubernetes.io/name": "tempo", "app.kubernetes.io/instance": "tempo" } },
          policyTypes: ["Ingress"],
          ingress: [{ from: [alloyPeer], ports: [{ protocol: "TCP", port: tempo.ports["otlp-grpc"] }] }],
        });
        // EKS serves the API on 443 at addresses it does not fix: any address, that port only.
        expect(plan.object("NetworkPolicy", "node-agents", "alloy-egress-to-api-server").spec.egress).to.deep.equal([
          { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
        ]);
        expect(plan.object("NetworkPolicy", "apps", "allow-egress-otlp-to-alloy").spec).to.deep.equal({
          podSelector: {},
          policyTypes: ["Egress"],
          egress: [{ to: [alloyPeer], ports: [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }] }],
        });
        expect(plan.object("NetworkPolicy", "node-agents", "alloy-otlp-from-app-namespaces").spec.ingress[0].from).to.deep.equal([
          { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["apps"] }] } },
        ]);
        expect(plan.find(NETPOL, "platform-monitoring-otlp-ingress"), "the old ingress policy in the monitoring namespace").to.equal(undefined);
      });

      it("apps → Alloy's OTLP receiver, on 4317 and 4318 only", () => {
        expect(admits(policies, APP, alloy, alloy.ports["otlp-grpc"])).to.equal(true);
        expect(admits(policies, APP, alloy, alloy.ports["otlp-http"])).to.equal(true);
        expect(admits(policies, APP, alloy, alloy.ports["http-metrics"]), "Alloy's UI and metrics port").to.equal(false);
        expect(admits(policies, BACKUP_JOB, alloy, 4317), "a namespace that is not an app's").to.equal(false);
      });

      it("Alloy → Loki's gateway (log pushes) and Tempo's OTLP gRPC port (spans), nothing else in the monitoring namespace", () => {
        expect(admits(policies, alloy, lokiGateway, lokiGateway.ports.http)).to.equal(true);
        expect(admits(policies, alloy, tempo, tempo.ports["otlp-grpc"])).to.equal(true);
        expect(admits(policies, alloy, lokiGateway, lokiGateway.ports["http-metrics"]), "the gateway's metrics port").to.equal(false);
        expect(admits(policies, alloy, loki, loki.ports["http-metrics"]), "Loki itself, past its gateway").to.equal(false);
        expect(admits(policies, alloy, tempo, tempo.ports["prom-metrics"]), "Tempo's query API").to.equal(false);
        expect(admits(policies, alloy, tempo, tempo.ports["otlp-http"]), "Tempo's OTLP/HTTP port").to.equal(false);
        expect(admits(policies, alloy, PROMETHEUS, 9090)).to.equal(false);
        expect(admits(policies, alloy, grafana, grafana.ports.grafana)).to.equal(false);
        expect(admits(policies, alloy, APP, 8080), "an app").to.equal(false);
        // The trace store only takes spans through Alloy, and Loki only logs through its gateway from Alloy.
        expect(admits(policies, APP, tempo, 4317)).to.equal(false);
        expect(admits(policies, APP, lokiGateway, lokiGateway.ports.http)).to.equal(false);
      });

      it("Prometheus → Alloy's metrics port; no other monitoring pod reaches Alloy", () => {
        expect(admits(policies, PROMETHEUS, alloy, alloy.ports["http-metrics"])).to.equal(true);
        expect(admits(policies, PROMETHEUS, alloy, alloy.ports["otlp-grpc"])).to.equal(false);
        expect(admits(policies, grafana, alloy, alloy.ports["http-metrics"])).to.equal(false);
        expect(admits(policies, lokiGateway, alloy, alloy.ports["otlp-http"])).to.equal(false);
      });

      it("Prometheus → node-exporter at the node's address (host network, no NetworkPolicy governs it); Alloy cannot", () => {
        expect(admitsToAddress(policies, PROMETHEUS, NODE_ADDRESS, nodeExporter.ports["http-metrics"])).to.equal(true);
        expect(admitsToAddress(policies, alloy, NODE_ADDRESS, nodeExporter.ports["http-metrics"])).to.equal(false);
      });

      it("Alloy → DNS and the API server (its pod discovery) only; nothing else outside the pod network", () => {
        expect(admits(policies, alloy, KUBE_DNS, 53)).to.equal(true);
        expect(admitsToAddress(policies, alloy, API_SERVER_ADDRESS, 443)).to.equal(true);
        expect(admitsToAddress(policies, alloy, API_SERVER_ADDRESS, 6443)).to.equal(false);
        expect(admitsToAddress(policies, alloy, "1.1.1.1", 80)).to.equal(false);
        expect(admits(policies, alloy, KUBE_DNS, 9153), "kube-dns' metrics port").to.equal(false);
      });

      it("the evaluator is not blind: without each of Alloy's policies its path is refused", () => {
        const without = (...names: string[]) => policies.filter((p) => !names.includes(p.metadata!.name!));
        expect(admits(without("allow-egress-otlp-to-alloy"), APP, alloy, 4317)).to.equal(false);
        expect(admits(without("alloy-otlp-from-app-namespaces"), APP, alloy, 4317)).to.equal(false);
        expect(admits(without("alloy-egress-to-loki-gateway"), alloy, lokiGateway, lokiGateway.ports.http)).to.equal(false);
        expect(admits(without("loki-gateway-from-alloy"), alloy, lokiGateway, lokiGateway.ports.http)).to.equal(false);
        expect(admits(without("alloy-egress-to-tempo"), alloy, tempo, 4317)).to.equal(false);
        expect(admits(without("tempo-otlp-from-alloy"), alloy, tempo, 4317)).to.equal(false);
        expect(admits(without("alloy-metrics-from-prometheus"), PROMETHEUS, alloy, 12345)).to.equal(false);
        expect(admitsToAddress(without("alloy-egress-to-api-server"), alloy, API_SERVER_ADDRESS, 443)).to.equal(false);
        expect(admits(without("allow-dns"), alloy, KUBE_DNS, 53)).to.equal(false);
        expect(admitsToAddress(without("allow-egress-internet"), PROMETHEUS, NODE_ADDRESS, 9100)).to.equal(false);
      });
    });
  }

  describe("alloyNetworkPolicies (pure builder)", () => {
    const input = { environment: "staging", clusterFlavour: "eks" as const, monitoringNamespace: "observability", nodeAgentsNamespace: "agents", appNamespaces: ["shop", "billing"] };
    const apiPorts = (flavour: "eks" | "self-managed") =>
      alloyNetworkPolicies({ ...input, clusterFlavour: flavour }).nodeAgents.find((p) => p.metadata!.name === "alloy-egress-to-api-server")!.spec!.egress![0].ports;

    it("follows the configured namespaces: one egress policy per app namespace, Alloy's in its own, Loki's and Tempo's in monitoring", () => {
      const policies = alloyNetworkPolicies(input);
      expect(policies.appEgress.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)).to.deep.equal(["shop/allow-egress-otlp-to-alloy", "billing/allow-egress-otlp-to-alloy"]);
      expect(new Set(policies.nodeAgents.map((p) => p.metadata!.namespace))).to.deep.equal(new Set(["agents"]));
      expect(policies.monitoring.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)).to.deep.equal(["observability/loki-gateway-from-alloy", "observability/tempo-otlp-from-alloy"]);
      expect(policies.appEgress[0].spec!.egress![0].to![0].namespaceSelector).to.deep.equal({ matchLabels: { "kubernetes.io/metadata.name": "agents" } });
    });

    it("opens the API server's port of the cluster flavour: 443 on EKS, 443 and 6443 self-managed", () => {
      expect(apiPorts("eks")).to.deep.equal([{ protocol: "TCP", port: 443 }]);
      expect(apiPorts("self-managed")).to.deep.equal([{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }]);
    });

    it("without app namespaces, no OTLP policy is made (an ingress rule from no namespace would be invalid)", () => {
      const policies = alloyNetworkPolicies({ ...input, appNamespaces: [] });
      expect(policies.appEgress).to.deep.equal([]);
      expect(policies.nodeAgents.map((p) => p.metadata!.name)).to.not.include("alloy-otlp-from-app-namespaces");
    });
  });

  it("the address evaluator honours CIDRs, except ranges and ports", () => {
    const from: PodRef = { namespace: "a", labels: {} };
    const policy: NetworkPolicy = {
      metadata: { name: "p", namespace: "a" },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.5.0/24"] } }], ports: [{ protocol: "TCP", port: 443 }] }] },
    };
    expect(admitsToAddress([policy], from, "10.0.1.1", 443)).to.equal(true);
    expect(admitsToAddress([policy], from, "10.1.0.1", 443)).to.equal(false);
    expect(admitsToAddress([policy], from, "10.0.5.9", 443)).to.equal(false);
    expect(admitsToAddress([policy], from, "10.0.1.1", 80)).to.equal(false);
    expect(admitsToAddress([], from, "10.0.1.1", 80), "no policy selects the pod: open").to.equal(true);
  });
});
