import { DatasourceVariableBuilder, QueryVariableBuilder, VariableRefresh, VariableSort } from "@grafana/grafana-foundation-sdk/dashboard";
import { PROMETHEUS_DATASOURCE } from "./panels";

/** The Tempo data source of the trace panels (components/monitoring/trace-datasources.ts provisions it). */
export function tracesDatasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("traces").label("Traces").type("tempo");
}

/** The Prometheus data source every query of a dashboard runs against; Grafana preselects the default one. */
export function datasourceVariable(): DatasourceVariableBuilder {
  return new DatasourceVariableBuilder("datasource").label("Data source").type("prometheus");
}

/**
 * A multi-select of the values `label` takes on the series `selector` picks, refreshed with the time
 * range so a service that stopped reporting drops out. "All" is `.*` rather than the list of values, so
 * the queries stay short and also match series that appeared since the list was loaded.
 */
export function labelVariable(name: string, title: string, selector: string, label: string = name): QueryVariableBuilder {
  const query = `label_values(${selector}, ${label})`;
  return new QueryVariableBuilder(name)
    .label(title)
    .datasource(PROMETHEUS_DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue(".*");
}

/**
 * The series of one metric, or of any of several (`{__name__=~"a|b"}`: a label that only some of them carry
 * is still listed), narrowed by `matchers`.
 */
export function seriesSelector(metrics: string | readonly string[], ...matchers: string[]): string {
  if (typeof metrics === "string") return matchers.length === 0 ? metrics : `${metrics}{${matchers.join(", ")}}`;
  return `{${[`__name__=~"${metrics.join("|")}"`, ...matchers].join(", ")}}`;
}

/** `namespace` and `service` variables over an application metric (or several), the service list narrowed by the namespace. */
export function namespaceAndService(metrics: string | readonly string[]): QueryVariableBuilder[] {
  return [labelVariable("namespace", "Namespace", seriesSelector(metrics)), labelVariable("service", "Service", seriesSelector(metrics, 'namespace=~"$namespace"'))];
}

/**
 * Matchers of every application query: the selected namespaces and services, and each pod once. A
 * blue-green application's pods are scraped through both its active and preview Services after promotion,
 * so series with role="preview" are duplicates (components/metrics BLUE_GREEN_SERIES_LABELS).
 */
export const APP_SELECTOR = 'namespace=~"$namespace", service=~"$service", role!="preview"';
