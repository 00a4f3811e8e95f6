import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, percent, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "tracing";
const WINDOW = "5m";
const BY = ["namespace", "job"];

/**
 * The sum of some counters' rates, where a counter that has not been incremented yet (OpenTelemetry
 * creates its series on the first increment) counts as zero instead of emptying the sum.
 */
function sumOfRates(...terms: string[]): string {
  if (terms.length === 1) return terms[0];
  return `(${terms.join(" + ")})\n  or ${terms.join("\n  or ")}`;
}

/**
 * The trace pipeline, hop by hop: Alloy refusing the apps' spans (its memory limiter, or a full
 * pipeline), Alloy failing to hand them to Tempo, Tempo refusing or discarding them (rate limits, trace
 * size), and Tempo failing to write blocks to its storage. Every ratio is of the spans received at that
 * hop over five minutes, so a quiet pipeline never alerts; the stack's spanLossRatio is the threshold.
 */
export const tracingRules: RuleGroupBuilder = (t) => {
  const tr = t.tracing;
  const alloy = `job="${EXPORTER_JOBS.alloy}"`;
  const tempo = `job="${EXPORTER_JOBS.tempo}"`;
  const rate = (metric: string, job: string) => sumRate(metric, BY, WINDOW, job);

  const collectorRefused = rate("otelcol_receiver_refused_spans_total", alloy);
  const collectorAccepted = rate("otelcol_receiver_accepted_spans_total", alloy);
  const collectorDropped = sumOfRates(rate("otelcol_exporter_send_failed_spans_total", alloy), rate("otelcol_exporter_enqueue_failed_spans_total", alloy));
  const storeRefused = rate("tempo_receiver_refused_spans", tempo);
  const storeLost = sumOfRates(storeRefused, rate("tempo_discarded_spans_total", tempo));
  const storeReceived = sumOfRates(rate("tempo_receiver_accepted_spans", tempo), storeRefused);

  const common = { for: tr.spanLossFor, severity: "warning", team: "infrastructure", component: "tracing", identity: BY } as const;
  return {
    name: "platform-tracing",
    rules: [
      alertRule(RUNBOOK, {
        ...common,
        alert: "TraceSpansRefused",
        expr: `${collectorRefused}\n/\n(\n  ${sumOfRates(collectorAccepted, collectorRefused)}\n)\n> ${tr.spanLossRatio}`,
        summary: "The trace collector refuses spans the apps send.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} refused {{ $value | humanizePercentage }} of the spans the apps sent over the last 5 minutes, above ${percent(tr.spanLossRatio)} for ${tr.spanLossFor}; those traces are incomplete or missing.`,
      }),
      alertRule(RUNBOOK, {
        ...common,
        alert: "TraceSpansDropped",
        expr: `(\n  ${collectorDropped}\n)\n/\n${collectorAccepted}\n> ${tr.spanLossRatio}`,
        summary: "The trace collector fails to deliver spans to the trace store.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} failed to deliver {{ $value | humanizePercentage }} of the spans it received to Tempo over the last 5 minutes (send failures and a full queue), above ${percent(tr.spanLossRatio)} for ${tr.spanLossFor}.`,
      }),
      alertRule(RUNBOOK, {
        ...common,
        alert: "TraceStoreSpansRefused",
        expr: `(\n  ${storeLost}\n)\n/\n(\n  ${storeReceived}\n)\n> ${tr.spanLossRatio}`,
        summary: "The trace store refuses or discards spans.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} refused or discarded {{ $value | humanizePercentage }} of the spans it received over the last 5 minutes, above ${percent(tr.spanLossRatio)} for ${tr.spanLossFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "TraceStoreFlushesFailing",
        expr: `sum by (namespace, job) (increase(tempo_ingester_failed_flushes_total{${tempo}}[15m])) > 0`,
        for: tr.storeFlushFailingFor,
        severity: "warning",
        team: "infrastructure",
        component: "tracing",
        identity: BY,
        summary: "The trace store cannot write blocks to its storage.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} failed {{ $value | humanize }} block flushes in the last 15 minutes and has kept failing for ${tr.storeFlushFailingFor}; traces pile up in its write-ahead log and are lost if it fills.`,
      }),
    ],
  };
};
