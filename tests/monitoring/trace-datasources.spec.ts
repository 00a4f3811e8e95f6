import { expect } from "chai";
import { resolveAppSpec, telemetryEnvironment } from "../../components/apps";
import { TRACE_TO_LOGS_QUERY } from "../../components/monitoring";
import { stackApp, stackTelemetry } from "../apps/fixtures/apps-config";
import { planStack, STACKS } from "../harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A provisioned value as Grafana reads it: `$$` is a literal `$`; a lone `$NAME` would be an environment variable. */
function asGrafanaReadsIt(text: string): string {
  expect(text.replace(/\$\$/g, ""), `${text} has an unescaped $`).to.not.contain("$");
  return text.replace(/\$\$/g, "$");
}

describe("Grafana: traces linked with logs and metrics", () => {
  for (const stack of STACKS) {
    describe(stack, () => {
      const grafanaValues = async () => ((await planStack(stack)).one(RELEASE, "platform-monitoring-kps-release").inputs.values as any).grafana;

      it("a Tempo datasource on Tempo's query port, opening a span's log lines in Loki", async () => {
        const tempo = (await grafanaValues()).additionalDataSources.find((d: { type: string }) => d.type === "tempo");
        expect(tempo).to.deep.include({ name: "Tempo", uid: "tempo", access: "proxy", url: "http://tempo.monitoring.svc.cluster.local:3200", isDefault: false });
        const links = tempo.jsonData.tracesToLogsV2;
        expect(links).to.deep.include({ datasourceUid: "loki", customQuery: true, spanStartTimeShift: "-5m", spanEndTimeShift: "5m" });
        expect(asGrafanaReadsIt(links.query)).to.equal('{namespace="${__span.tags["k8s.namespace.name"]}", app="${__span.tags["service.name"]}"} | trace_id="${__trace.traceId}"');
        expect(tempo.jsonData.lokiSearch).to.deep.equal({ datasourceUid: "loki" });
        expect(asGrafanaReadsIt(tempo.jsonData.tracesToMetrics.queries[0].query)).to.equal("sum by (status) (rate(http_requests_total{$__tags}[5m]))");
        expect(tempo.jsonData.tracesToMetrics.tags).to.deep.equal([{ key: "service.name", value: "service" }]);
      });

      it("the span tags the log query reads are resource attributes every app sends, and the labels are Alloy's", async () => {
        const spec = resolveAppSpec(stackApp(stack), stack, "monitoring", stackTelemetry(stack));
        const env = telemetryEnvironment(spec, spec.colors[spec.activeColor]);
        expect(env.OTEL_SERVICE_NAME).to.equal("api");
        expect(env.OTEL_RESOURCE_ATTRIBUTES).to.match(/(^|,)k8s\.namespace\.name=apps(,|$)/);
        const river: string = ((await planStack(stack)).one("kubernetes:helm.sh/v4:Chart", "platform-monitoring-alloy-chart").inputs.values as any).alloy.configMap.content;
        // Loki's `app` is the pod's app.kubernetes.io/name, which is the app's name, as is service.name.
        expect(river).to.contain('source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]\n    target_label  = "app"');
        expect(river).to.contain('source_labels = ["__meta_kubernetes_namespace"]\n    target_label  = "namespace"');
        expect(TRACE_TO_LOGS_QUERY).to.contain('app="${__span.tags["service.name"]}"');
      });

      it("Loki turns a line's trace_id into a link to the trace", async () => {
        const loki = (await grafanaValues()).additionalDataSources.find((d: { type: string }) => d.type === "loki");
        expect(loki.jsonData.derivedFields).to.have.lengthOf(1);
        const [field] = loki.jsonData.derivedFields;
        expect(field).to.deep.include({ matcherType: "label", matcherRegex: "trace_id", datasourceUid: "tempo", urlDisplayLabel: "View trace" });
        expect(asGrafanaReadsIt(field.url)).to.equal("${__value.raw}");
      });

      it("Prometheus stores exemplars and Grafana links their trace_id to Tempo", async () => {
        const values = (await planStack(stack)).one(RELEASE, "platform-monitoring-kps-release").inputs.values as any;
        expect(values.prometheus.prometheusSpec.enableFeatures).to.deep.equal(["exemplar-storage"]);
        expect(values.grafana.sidecar.datasources).to.deep.include({
          uid: "prometheus",
          exemplarTraceIdDestinations: { datasourceUid: "tempo", traceIdLabelName: "trace_id", urlDisplayLabel: "View trace" },
        });
      });
    });
  }

  it("the escaping check is not blind", () => {
    expect(() => asGrafanaReadsIt("${__value.raw}")).to.throw("unescaped");
  });
});
