/**
 * The metrics contract between the platform and its applications: every application metric the alert
 * rules, recording rules and dashboards rely on, defined once as data. registerPlatformMetrics() turns
 * it into prom-client metrics; the rule tests check that every PromQL expression names only these,
 * the exporter metrics (exporter-metrics.ts) or recording rules.
 *
 * Every application metric carries `service` (the application's name, set by the app) so rules and
 * dashboards aggregate per application whatever the pod, route or Kubernetes Service. The scrape adds
 * `namespace`, `pod`, `job` and, for blue-green apps, `role` and `color` (see BLUE_GREEN_SERIES_LABELS);
 * no other application label may share a name with SCRAPE_TARGET_LABELS.
 *
 * Label values the rules match on:
 * - http_requests_total.status: the numeric HTTP status ("200", "503"); 5xx count as errors.
 * - auth_attempts_total.result: "success" | "failure".
 * - db_queries_total.status, connector_requests_total.status: "success" | "error".
 * - pipeline_executions_total.status, transformations_total.status, file_uploads_total.status: "success" | "failed".
 * Unbounded values (user ids, raw URLs, SQL text) never go into labels: `route` is the route template.
 */

/**
 * Labels the scrape of an application sets: prometheus-operator's target labels and the relabelings of the
 * apps' ServiceMonitor (components/apps/observability.ts). That endpoint honors the app's labels, so an app
 * label of one of these names replaces the scrape's: a `role` of the app's own would hide role="preview"
 * from every rule and dashboard, and count preview pods as live ones. `service` is the one the contract
 * shares on purpose: the app sets it to its own name, which is what the scrape sets too.
 */
export const SCRAPE_TARGET_LABELS = ["namespace", "pod", "container", "endpoint", "job", "instance", "service", "role", "color", "version"] as const;

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  readonly type: MetricType;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Upper bounds of a histogram's buckets, ascending; +Inf is implicit. */
  readonly buckets?: readonly number[];
}

// Bucket layouts. Each alert threshold on a quantile must lie inside the finite buckets (the rule
// builders check it), and the thresholds the stacks use are bucket bounds so p95 is exact at the edge.
const REQUEST_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10] as const;
const LOGIN_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10] as const;
const QUERY_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10] as const;
const PIPELINE_SECONDS = [1, 5, 15, 30, 60, 300, 600, 1800, 3600, 7200, 14400, 28800] as const;
const CONNECTOR_SECONDS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120] as const;
const FILE_PROCESSING_SECONDS = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600] as const;
const TRANSFORMATION_SECONDS = [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 1800] as const;
const UPLOAD_BYTES = [1024, 10240, 102400, 1048576, 10485760, 104857600, 1073741824] as const;

/** Application metrics, keyed by metric name. */
export const APP_METRICS = {
  // HTTP
  http_requests_total: { type: "counter", help: "HTTP requests handled, by method, route template and status code.", labelNames: ["method", "route", "status", "service"] },
  http_request_duration_seconds: { type: "histogram", help: "HTTP request latency in seconds, by method and route template.", labelNames: ["method", "route", "service"], buckets: REQUEST_SECONDS },
  http_requests_in_progress: { type: "gauge", help: "HTTP requests being handled right now.", labelNames: ["method", "route", "service"] },

  // Authentication
  auth_attempts_total: { type: "counter", help: "Authentication attempts, by method and result (success|failure).", labelNames: ["method", "result", "service"] },
  auth_login_duration_seconds: { type: "histogram", help: "Time to complete a login in seconds, by method.", labelNames: ["method", "service"], buckets: LOGIN_SECONDS },
  active_sessions: { type: "gauge", help: "User sessions currently active.", labelNames: ["service"] },

  // Database
  db_connections_active: { type: "gauge", help: "Connections of the pool checked out by the application.", labelNames: ["pool", "service"] },
  db_connections_idle: { type: "gauge", help: "Open connections of the pool waiting to be used.", labelNames: ["pool", "service"] },
  db_pool_max_connections: { type: "gauge", help: "Largest number of connections the pool may open.", labelNames: ["pool", "service"] },
  db_query_duration_seconds: { type: "histogram", help: "Database query time in seconds, by operation.", labelNames: ["operation", "service"], buckets: QUERY_SECONDS },
  db_queries_total: { type: "counter", help: "Database queries, by operation and status (success|error).", labelNames: ["operation", "status", "service"] },

  // Pipelines
  pipelines_configured: { type: "gauge", help: "Pipelines defined, by status (active|paused|disabled).", labelNames: ["status", "service"] },
  pipeline_executions_total: { type: "counter", help: "Pipeline runs finished, by status (success|failed).", labelNames: ["status", "service"] },
  pipeline_execution_duration_seconds: { type: "histogram", help: "Duration of finished pipeline runs in seconds.", labelNames: ["service"], buckets: PIPELINE_SECONDS },
  pipeline_records_processed_total: { type: "counter", help: "Records processed by pipeline runs.", labelNames: ["service"] },
  pipeline_errors_total: { type: "counter", help: "Errors raised inside pipeline runs, by error type.", labelNames: ["error_type", "service"] },

  // Connectors
  connectors_configured: { type: "gauge", help: "Connectors defined, by connector type and status.", labelNames: ["connector_type", "status", "service"] },
  connector_requests_total: { type: "counter", help: "Requests to external data sources, by connector type and status (success|error).", labelNames: ["connector_type", "status", "service"] },
  connector_response_time_seconds: { type: "histogram", help: "Response time of external data sources in seconds, by connector type.", labelNames: ["connector_type", "service"], buckets: CONNECTOR_SECONDS },
  data_fetched_bytes_total: { type: "counter", help: "Bytes fetched from external data sources, by connector type.", labelNames: ["connector_type", "service"] },

  // File uploads
  file_uploads_total: { type: "counter", help: "File uploads, by status (success|failed).", labelNames: ["status", "service"] },
  file_upload_size_bytes: { type: "histogram", help: "Size of uploaded files in bytes.", labelNames: ["service"], buckets: UPLOAD_BYTES },
  file_processing_duration_seconds: { type: "histogram", help: "Time to process an uploaded file in seconds, by file type.", labelNames: ["file_type", "service"], buckets: FILE_PROCESSING_SECONDS },

  // Transformations
  transformations_total: { type: "counter", help: "Transformations run, by transformation type and status (success|failed).", labelNames: ["transformation_type", "status", "service"] },
  transformation_duration_seconds: { type: "histogram", help: "Transformation run time in seconds, by transformation type.", labelNames: ["transformation_type", "service"], buckets: TRANSFORMATION_SECONDS },
  transformation_records_processed_total: { type: "counter", help: "Records processed by transformations, by transformation type.", labelNames: ["transformation_type", "service"] },

  // WebSockets
  websocket_connections_active: { type: "gauge", help: "WebSocket connections open right now.", labelNames: ["service"] },
  websocket_messages_sent_total: { type: "counter", help: "WebSocket messages sent to clients.", labelNames: ["service"] },
  websocket_messages_received_total: { type: "counter", help: "WebSocket messages received from clients.", labelNames: ["service"] },
  websocket_errors_total: { type: "counter", help: "WebSocket errors, by error type.", labelNames: ["error_type", "service"] },

  // Cache
  cache_hits_total: { type: "counter", help: "Cache lookups that found the key, by cache.", labelNames: ["cache", "service"] },
  cache_misses_total: { type: "counter", help: "Cache lookups that missed, by cache.", labelNames: ["cache", "service"] },
  cache_size_bytes: { type: "gauge", help: "Memory held by the cache in bytes, by cache.", labelNames: ["cache", "service"] },

  // Rate limiting
  rate_limit_exceeded_total: { type: "counter", help: "Requests rejected by the rate limiter, by route template.", labelNames: ["route", "service"] },

  // Business. users_total (a gauge) and data_volume_processed_bytes (a counter) keep the names the
  // existing dashboards and reports use, although they break the _total naming convention. users_total and
  // users_active_daily count the whole application's users: every pod reports the same values, so they are
  // read with max per service, never summed over pods.
  users_total: { type: "gauge", help: "Registered users, by user role.", labelNames: ["user_role", "service"] },
  users_active_daily: { type: "gauge", help: "Distinct users active in the last 24 hours.", labelNames: ["service"] },
  api_calls_total: { type: "counter", help: "Public API calls served (the per-user breakdown lives in logs, not labels).", labelNames: ["service"] },
  data_volume_processed_bytes: { type: "counter", help: "Bytes of data processed, by source.", labelNames: ["source", "service"] },
} as const satisfies Record<string, MetricDefinition>;

export type AppMetricName = keyof typeof APP_METRICS;

/** The catalog as a list, each entry with its name. */
export function appMetrics(): readonly (MetricDefinition & { readonly name: AppMetricName })[] {
  return (Object.keys(APP_METRICS) as AppMetricName[]).map((name) => ({ name, ...APP_METRICS[name] }));
}

/** Series names a metric exposes: histograms expose _bucket, _sum and _count, the rest their own name. */
export function seriesNames(name: string, definition: Pick<MetricDefinition, "type">): string[] {
  return definition.type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}
