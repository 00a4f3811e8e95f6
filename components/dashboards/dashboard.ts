import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  AnnotationQueryBuilder,
  type Dashboard,
  DashboardBuilder,
  DashboardCursorSync,
  type Panel,
  RowBuilder,
  type VariableModel,
} from "@grafana/grafana-foundation-sdk/dashboard";
import { PROMETHEUS_DATASOURCE } from "./panels";
import { datasourceVariable } from "./variables";

export interface DashboardRow {
  readonly title: string;
  readonly panels: readonly cog.Builder<Panel>[];
}

export interface DashboardSpec {
  /** Short, stable name: the dashboard's uid is `platform-<name>`, which links and bookmarks depend on. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Variables after `datasource`, in the order they appear. */
  readonly variables: readonly cog.Builder<VariableModel>[];
  readonly rows: readonly DashboardRow[];
}

/** Tag of every platform dashboard, to find them in Grafana's search. */
export const PLATFORM_TAG = "platform";

/**
 * A platform dashboard: `datasource` variable first, 30 s refresh, last 6 hours, shared crosshair, firing
 * critical alerts as annotations. Read-only, because the ConfigMap is the source of truth and Grafana
 * would drop UI edits on the next sync; copy it ("Save as") to experiment.
 */
export function platformDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(`platform-${spec.name}`)
    .description(spec.description)
    .tags([PLATFORM_TAG])
    .refresh("30s")
    .time({ from: "now-6h", to: "now" })
    .timezone("browser")
    .tooltip(DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(datasourceVariable())
    .annotation(
      new AnnotationQueryBuilder()
        .name("Critical alerts")
        .datasource(PROMETHEUS_DATASOURCE)
        .enable(true)
        .iconColor("red")
        .expr('ALERTS{alertstate="firing", severity="critical"}')
        .titleFormat("{{alertname}}")
        .textFormat("{{namespace}}/{{service}}")
        .tagKeys("severity,team")
        .step("60s"),
    );
  for (const variable of spec.variables) builder.withVariable(variable);
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  // The SDK's query objects carry a marker method; a JSON round trip leaves the plain data Grafana reads.
  const dashboard = JSON.parse(JSON.stringify(builder.build())) as Dashboard;
  // Stable ids in layout order: panel links (viewPanel=N) survive a rebuild.
  dashboard.panels = (dashboard.panels ?? []).map((panel, i) => ({ ...panel, id: i + 1 }));
  return dashboard;
}
