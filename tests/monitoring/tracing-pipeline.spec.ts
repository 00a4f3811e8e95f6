import { expect } from "chai";
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
        // Alloy runs in the node agents' namespace; Tempo stays in the monitoring namespace.
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
    });
  }
});
