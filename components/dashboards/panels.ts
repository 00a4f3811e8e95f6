import * as common from "@grafana/grafana-foundation-sdk/common";
import { type Threshold, ThresholdsConfigBuilder, ThresholdsMode } from "@grafana/grafana-foundation-sdk/dashboard";
import { DataqueryBuilder, PromQueryFormat } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as tempo from "@grafana/grafana-foundation-sdk/tempo";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";

/**
 * Every panel, target and variable queries the data source the viewer picks in the `datasource` variable,
 * never a hard-coded UID, so the same JSON works in every Grafana (and against Thanos or a second Prometheus).
 */
export const PROMETHEUS_DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** Trace panels query the Tempo data source the viewer picks in the `traces` variable, the same way. */
export const TRACES_DATASOURCE = { type: "tempo", uid: "${traces}" } as const;

export interface Query {
  readonly expr: string;
  /** Legend template, e.g. `{{service}}`. */
  readonly legend?: string;
}

/** What every panel states: a title, why it matters, the unit of its values and its queries. */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  /** Grafana unit id: reqps, s, percentunit, bytes, Bps, short, ops. */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Grid columns out of 24. */
  readonly width?: number;
  readonly height?: number;
}

const REF_IDS = "ABCDEFGHIJ";

function target(query: Query, index: number, kind: "range" | "instant" | "table"): DataqueryBuilder {
  const builder = new DataqueryBuilder().refId(REF_IDS[index]).datasource(PROMETHEUS_DATASOURCE).expr(query.expr);
  if (query.legend) builder.legendFormat(query.legend);
  if (kind === "range") return builder.range();
  builder.instant();
  return kind === "table" ? builder.format(PromQueryFormat.Table) : builder;
}

/** Threshold steps from a base colour: `[["green"], [0.8, "orange"], [0.95, "red"]]`. */
export type Steps = readonly (readonly [string] | readonly [number, string])[];

/** Red from the alert's threshold up: the panel turns red when the alert's condition holds. */
export function redFrom(threshold: number): Steps {
  return [["green"], [threshold, "red"]];
}

/** Red below the alert's threshold, for alerts on a minimum (e.g. cache hit ratio). */
export function redBelow(threshold: number): Steps {
  return [["red"], [threshold, "green"]];
}

/** Orange from a warning-only alert's threshold: it never turns red, because it never pages (node CPU). */
export function warnFrom(warning: number): Steps {
  return [["green"], [warning, "orange"]];
}

/** Orange from the warning alert's threshold, red from the critical one. */
export function warnCritical(warning: number, critical: number): Steps {
  return [["green"], [warning, "orange"], [critical, "red"]];
}

function thresholds(steps: Steps): ThresholdsConfigBuilder {
  const list: Threshold[] = steps.map((step) => (step.length === 1 ? { value: null, color: step[0] } : { value: step[0], color: step[1] }));
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(list);
}

/** A time series over the dashboard's range, one line per series, legend listed below. */
export function timeseriesPanel(spec: PanelSpec & { readonly stacked?: boolean; readonly max?: number }): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8)
    .min(0)
    .fillOpacity(10)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (spec.max !== undefined) panel.max(spec.max);
  if (spec.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  spec.queries.forEach((q, i) => panel.withTarget(target(q, i, "range")));
  return panel;
}

/** One number now (the last value), with a sparkline of the range behind it. */
export function statPanel(spec: PanelSpec & { readonly steps?: Steps }): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 6)
    .height(spec.height ?? 4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
    .thresholds(thresholds(spec.steps ?? [["green"]]));
  spec.queries.forEach((q, i) => panel.withTarget(target(q, i, "range")));
  return panel;
}

/** The current value of every series as rows, one column per label. */
export function tablePanel(spec: PanelSpec): table.PanelBuilder {
  const panel = new table.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(spec.unit)
    .span(spec.width ?? 24)
    .height(spec.height ?? 8)
    .withTransformation({ id: "organize", options: { excludeByName: { Time: true, __name__: true } } });
  spec.queries.forEach((q, i) => panel.withTarget(target(q, i, "table")));
  return panel;
}

/**
 * The latest traces a TraceQL query finds, one row per trace; a trace id opens the trace, and from a span
 * its logs (the Tempo data source's trace-to-logs link).
 */
export function traceTablePanel(spec: Omit<PanelSpec, "queries" | "unit"> & { readonly traceql: string; readonly limit: number }): table.PanelBuilder {
  return new table.PanelBuilder()
    .title(spec.title)
    .description(spec.description)
    .datasource(TRACES_DATASOURCE)
    .span(spec.width ?? 24)
    .height(spec.height ?? 10)
    .withTarget(
      new tempo.DataqueryBuilder()
        .refId("A")
        .datasource(TRACES_DATASOURCE)
        .queryType(tempo.TempoQueryType.Traceql)
        .query(spec.traceql)
        .limit(spec.limit)
        .tableType(tempo.SearchTableType.Traces),
    );
}
