import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { APP_METRICS, type AppMetricName } from "./catalog";

type Catalog = typeof APP_METRICS;
type LabelsOf<N extends AppMetricName> = Catalog[N]["labelNames"][number];

/** The prom-client metric type for a catalog entry, with its label names typed. */
type Handle<N extends AppMetricName> = Catalog[N]["type"] extends "counter"
  ? Counter<LabelsOf<N>>
  : Catalog[N]["type"] extends "gauge"
    ? Gauge<LabelsOf<N>>
    : Histogram<LabelsOf<N>>;

/** One typed prom-client handle per catalog metric, keyed by metric name. */
export type PlatformMetrics = { readonly [N in AppMetricName]: Handle<N> };

/**
 * Registers exactly the platform's application metrics in `registry` (never prom-client's global
 * registry) and returns typed handles, e.g.
 *
 *   const metrics = registerPlatformMetrics(registry);
 *   metrics.http_requests_total.inc({ method: "GET", route: "/orders/:id", status: "200", service: "orders" });
 *
 * Every metric has a `service` label: set it to the application's name on every call.
 */
export function registerPlatformMetrics(registry: Registry): PlatformMetrics {
  const handles: Record<string, Counter<string> | Gauge<string> | Histogram<string>> = {};
  for (const name of Object.keys(APP_METRICS) as AppMetricName[]) {
    const definition = APP_METRICS[name];
    const common = { name, help: definition.help, labelNames: [...definition.labelNames], registers: [registry] };
    switch (definition.type) {
      case "counter":
        handles[name] = new Counter(common);
        break;
      case "gauge":
        handles[name] = new Gauge(common);
        break;
      case "histogram":
        handles[name] = new Histogram({ ...common, buckets: [...definition.buckets] });
        break;
    }
  }
  return handles as unknown as PlatformMetrics;
}
