import { expect } from "chai";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { ALLOY_PODS, TEMPO_PODS } from "../../components/monitoring";
import { admits, type PodRef } from "../core/fixtures/network-paths";
import { planStack, STACKS } from "../harness";

const CHART = "kubernetes:helm.sh/v4:Chart";

describe("trace collection: apps → Alloy (OTLP) → Tempo", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      it("Alloy receives OTLP on 4317 and 4318, limits memory, batches, and exports to Tempo's OTLP gRPC port", async () => {
        const values = (await planStack(stack)).one(CHART, "platform-monitoring-alloy-chart").inputs.values as any;
        const river: string = values.alloy.configMap.content;
        expect(river).to.contain(`otelcol.receiver.otlp "apps" {
  grpc {
    endpoint = "0.0.0.0:4317"
  }

  http {
    endpoint = "0.0.0.0:4318"
  }

  output {
    traces = [otelcol.processor.memory_limiter.traces.input]
  }
}`);
        expect(river).to.contain("otelcol.processor.memory_limiter \"traces\" {\n  check_interval         = \"1s\"\n  limit_percentage       = 80\n  spike_limit_percentage = 20\n\n  output {\n    traces = [otelcol.processor.batch.traces.input]\n  }\n}");
        expect(river).to.contain('otelcol.processor.batch "traces" {\n  output {\n    traces = [otelcol.exporter.otlp.tempo.input]\n  }\n}');
        expect(river).to.contain('otelcol.exporter.otlp "tempo" {\n  client {\n    endpoint = "tempo.monitoring.svc.cluster.local:4317"');
        // Every component the pipeline forwards to is defined (Alloy refuses a config with a dangling reference).
        const defined = new Set([...river.matchAll(/^([a-z_.]+) "([a-z_]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
        const referenced = [...river.matchAll(/\b((?:otelcol|loki)\.[a-z_.]+)\.(?:input|receiver)\b/g)].map((m) => m[1]);
        expect(referenced.filter((r) => !defined.has(r))).to.deep.equal([]);
      });

      it("the Alloy Service exposes the OTLP ports and Prometheus scrapes Alloy (the release label)", async () => {
        const values = (await planStack(stack)).one(CHART, "platform-monitoring-alloy-chart").inputs.values as any;
        expect(values.alloy.extraPorts).to.deep.equal([
          { name: "otlp-grpc", port: 4317, targetPort: 4317, protocol: "TCP" },
          { name: "otlp-http", port: 4318, targetPort: 4318, protocol: "TCP" },
        ]);
        expect(values.serviceMonitor).to.deep.equal({ enabled: true, additionalLabels: { release: "kube-prometheus-stack" } });
      });

      it("log lines keep their trace_id as structured metadata, so Grafana can open the trace", async () => {
        const values = (await planStack(stack)).one(CHART, "platform-monitoring-alloy-chart").inputs.values as any;
        const river: string = values.alloy.configMap.content;
        expect(river).to.match(/stage\.json \{\n {4}expressions = \{[^}]*trace_id {4}= "trace_id",/);
        expect(river).to.match(/stage\.structured_metadata \{\n {4}values = \{[^}]*trace_id {4}= "",/);
      });

      describe("NetworkPolicies admit exactly the trace path", () => {
        const app: PodRef = { namespace: "apps", labels: { "app.kubernetes.io/name": "api", "platform.io/color": "blue" } };
        const alloy: PodRef = { namespace: "monitoring", labels: { ...ALLOY_PODS } };
        const tempo: PodRef = { namespace: "monitoring", labels: { ...TEMPO_PODS } };
        const backupJob: PodRef = { namespace: "backups", labels: { "platform.io/component": "backup" } };
        let policies: NetworkPolicy[];
        before(async () => {
          const plan = await planStack(stack);
          policies = plan.resources.filter((r) => r.inputs.kind === "NetworkPolicy").map((r) => r.inputs as unknown as NetworkPolicy);
        });

        it("the two policies of the path, one in each namespace, OTLP ports only", async () => {
          const plan = await planStack(stack);
          expect(plan.object("NetworkPolicy", "apps", "allow-egress-otlp-to-alloy").spec).to.deep.equal({
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
              {
                to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } }, podSelector: { matchLabels: { ...ALLOY_PODS } } }],
                ports: [
                  { protocol: "TCP", port: 4317 },
                  { protocol: "TCP", port: 4318 },
                ],
              },
            ],
          });
          expect(plan.object("NetworkPolicy", "monitoring", "alloy-otlp-from-app-namespaces").spec.ingress[0].from).to.deep.equal([
            { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["apps"] }] } },
          ]);
        });

        it("an app pod reaches Alloy on 4317 and 4318, and on no other Alloy port", () => {
          expect(admits(policies, app, alloy, 4317)).to.equal(true);
          expect(admits(policies, app, alloy, 4318)).to.equal(true);
          expect(admits(policies, app, alloy, 12345), "Alloy's UI and metrics port").to.equal(false);
        });

        it("Alloy reaches Tempo's OTLP port; an app pod does not, nor does a pod of a non-app namespace reach Alloy", () => {
          expect(admits(policies, alloy, tempo, 4317)).to.equal(true);
          expect(admits(policies, app, tempo, 4317)).to.equal(false);
          expect(admits(policies, backupJob, alloy, 4317)).to.equal(false);
        });

        it("the evaluator is not blind: without the new policies the app's spans are refused", () => {
          const without = policies.filter((p) => !["allow-egress-otlp-to-alloy", "alloy-otlp-from-app-namespaces"].includes(p.metadata!.name!));
          expect(admits(without, app, alloy, 4317)).to.equal(false);
          const egressOnly = policies.filter((p) => p.metadata!.name !== "alloy-otlp-from-app-namespaces");
          expect(admits(egressOnly, app, alloy, 4317)).to.equal(false);
        });
      });
    });
  }
});
