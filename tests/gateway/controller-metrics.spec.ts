import { expect } from "chai";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { ENVOY_GATEWAY_METRICS_PORT } from "../../components/gateway";
import { EXPORTER_JOBS } from "../../components/metrics/exporter-metrics";
import { selectorMatches } from "../../policy/rules/kubernetes";
import { admits, type PodRef } from "../core/fixtures/network-paths";
import { operatorStatefulSets } from "../monitoring/fixtures/operator-statefulsets";
import { planStack, type StackPlan, STACKS } from "../harness";

type Obj = Record<string, any>;

/** The pods the operator makes of the stack's Prometheus object, as NetworkPolicies see them. */
function prometheusPods(plan: StackPlan): PodRef {
  const statefulSet = operatorStatefulSets(plan.objects("Prometheus")).find((s) => s.metadata.name === "prometheus-kube-prometheus-stack-prometheus")!;
  return { namespace: statefulSet.metadata.namespace, labels: statefulSet.spec.template.metadata.labels };
}

describe("Envoy Gateway's controller is scraped: its chart ships no monitor, only prometheus.io annotations", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      let plan: StackPlan;
      let controller: Obj;
      before(async () => {
        plan = await planStack(stack);
        controller = plan.object("Deployment", "gateway", "envoy-gateway");
      });

      it(`ServiceMonitor gateway/envoy-gateway, selected by Prometheus, scrapes port metrics (${ENVOY_GATEWAY_METRICS_PORT.number}) of the chart's Service, behind which run all ${stack === "production" ? 2 : 1} controller replicas, as job ${EXPORTER_JOBS.envoyGateway}`, () => {
        const monitor = plan.object("ServiceMonitor", "gateway", "envoy-gateway");
        const prometheus = plan.object("Prometheus", "monitoring", "kube-prometheus-stack-prometheus");
        expect(selectorMatches(prometheus.spec.serviceMonitorSelector, monitor.metadata.labels), "Prometheus selects the monitor").to.equal(true);
        expect(monitor.spec.endpoints).to.deep.equal([{ port: "metrics", path: "/metrics", honorLabels: false }]);
        // Exactly the controller's Service: not the proxies' Services Envoy Gateway makes in the same namespace.
        const selected = plan.objects("Service").filter((s) => monitor.spec.namespaceSelector.matchNames.includes(s.metadata.namespace) && selectorMatches(monitor.spec.selector, s.metadata.labels ?? {}));
        expect(selected.map((s) => `${s.metadata.namespace}/${s.metadata.name}`)).to.deep.equal(["gateway/envoy-gateway"]);
        // No jobLabel: job is the Service's name, which the alert rules select on.
        expect(monitor.spec.jobLabel).to.equal(undefined);
        expect(selected[0].metadata.name).to.equal(EXPORTER_JOBS.envoyGateway);
        expect(selected[0].spec.ports.find((p: Obj) => p.name === "metrics")).to.deep.equal({ name: "metrics", port: 19001, targetPort: 19001 });
        // The Service's pods are the controller's, which listen there: the port the chart's annotation names.
        expect(selectorMatches({ matchLabels: selected[0].spec.selector }, controller.spec.template.metadata.labels)).to.equal(true);
        expect(controller.spec.replicas).to.equal(stack === "production" ? 2 : 1);
        const ports = controller.spec.template.spec.containers.find((c: Obj) => c.name === "envoy-gateway").ports;
        expect(ports.find((p: Obj) => p.name === ENVOY_GATEWAY_METRICS_PORT.name)).to.deep.equal({ name: "metrics", containerPort: ENVOY_GATEWAY_METRICS_PORT.number });
        expect(controller.spec.template.metadata.annotations["prometheus.io/port"]).to.equal(String(ENVOY_GATEWAY_METRICS_PORT.number));
      });

      it("Prometheus reaches the controller's metrics port through the namespaces' default deny, by the gateway namespace's allow-monitoring-scrape; an app's pod does not", () => {
        const policies = plan.objects("NetworkPolicy") as NetworkPolicy[];
        const pods: PodRef = { namespace: "gateway", labels: controller.spec.template.metadata.labels };
        const prometheus = prometheusPods(plan);
        expect(admits(policies, prometheus, pods, ENVOY_GATEWAY_METRICS_PORT.number)).to.equal(true);
        // That policy is what admits it: without it the default deny holds.
        const without = policies.filter((p) => !(p.metadata!.namespace === "gateway" && p.metadata!.name === "allow-monitoring-scrape"));
        expect(without).to.have.lengthOf(policies.length - 1);
        expect(admits(without, prometheus, pods, ENVOY_GATEWAY_METRICS_PORT.number)).to.equal(false);
        expect(admits(policies, { namespace: "apps", labels: { "app.kubernetes.io/name": "api", "platform.io/color": "blue" } }, pods, ENVOY_GATEWAY_METRICS_PORT.number)).to.equal(false);
      });
    });
  }
});
