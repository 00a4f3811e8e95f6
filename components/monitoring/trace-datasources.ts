/** A Grafana datasource as kube-prometheus-stack's `grafana.additionalDataSources` takes it. */
export interface GrafanaDataSource {
  name: string;
  uid: string;
  type: string;
  access: "proxy";
  url: string;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
}

/**
 * How Grafana links traces, logs and metrics. The uids are fixed so the links survive a reinstall.
 * - trace → logs: the Tempo datasource opens, for a span, the Loki lines of the same app and namespace
 *   that carry the trace's id (Alloy keeps `trace_id` from the apps' JSON lines as structured metadata);
 * - log → trace: Loki turns a line's `trace_id` into a link to that trace in Tempo;
 * - metric → trace: Prometheus exemplars whose `trace_id` label names a trace link to it (Prometheus
 *   stores exemplars with its exemplar-storage feature; apps attach them to their histograms).
 */
export const DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki", tempo: "tempo" } as const;

/** The log field, Loki structured-metadata key and exemplar label that carry a trace's id. */
export const TRACE_ID_FIELD = "trace_id";

/**
 * Grafana expands `$NAME` and `${NAME}` in provisioning files from its environment, so a literal `$` of
 * its link syntax (`${__trace.traceId}`, `$__tags`) is written `$$` there, or it would arrive empty.
 */
export function provisioningLiteral(text: string): string {
  return text.split("$").join("$$");
}

/** The LogQL a span opens: its app's lines in its namespace with its trace id, around the span's time. */
export const TRACE_TO_LOGS_QUERY = `{namespace="\${__span.tags["k8s.namespace.name"]}", app="\${__span.tags["service.name"]}"} | ${TRACE_ID_FIELD}="\${__trace.traceId}"`;

export function tempoDataSource(url: string): GrafanaDataSource {
  return {
    name: "Tempo",
    uid: DATASOURCE_UIDS.tempo,
    type: "tempo",
    access: "proxy",
    url,
    isDefault: false,
    jsonData: {
      tracesToLogsV2: {
        datasourceUid: DATASOURCE_UIDS.loki,
        spanStartTimeShift: "-5m",
        spanEndTimeShift: "5m",
        customQuery: true,
        query: provisioningLiteral(TRACE_TO_LOGS_QUERY),
      },
      // A span's service's request rate and errors, from the metrics catalog's http_requests_total.
      tracesToMetrics: {
        datasourceUid: DATASOURCE_UIDS.prometheus,
        spanStartTimeShift: "-5m",
        spanEndTimeShift: "5m",
        tags: [{ key: "service.name", value: "service" }],
        queries: [{ name: "Request rate by status", query: provisioningLiteral("sum by (status) (rate(http_requests_total{$__tags}[5m]))") }],
      },
      lokiSearch: { datasourceUid: DATASOURCE_UIDS.loki },
      nodeGraph: { enabled: true },
      search: { hide: false },
    },
  };
}

/** Loki's derived field: the `trace_id` structured metadata of a line becomes a link to the trace. */
export function lokiTraceLinks() {
  return {
    derivedFields: [
      { name: "TraceID", matcherType: "label", matcherRegex: TRACE_ID_FIELD, datasourceUid: DATASOURCE_UIDS.tempo, url: provisioningLiteral("${__value.raw}"), urlDisplayLabel: "View trace" },
    ],
  };
}

/** kube-prometheus-stack's setting for its default Prometheus datasource: exemplar `trace_id` → Tempo. */
export const EXEMPLAR_TRACE_ID_DESTINATION = { datasourceUid: DATASOURCE_UIDS.tempo, traceIdLabelName: TRACE_ID_FIELD, urlDisplayLabel: "View trace" } as const;
