import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, timeseriesPanel } from "./panels";
import { medianAndP95, quantile, rateRatio, sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService } from "./variables";

/** The applications' side of the database: connection pools and query performance. */
export function databaseDashboard(t: AlertThresholds): Dashboard {
  // Each pod has its own pool, so usage is a per-pod ratio and the busiest pod speaks for the pool, as in
  // the DatabaseConnectionPoolExhausted alert.
  const usage = `db_connections_active{${S}} / db_pool_max_connections{${S}}`;
  return platformDashboard({
    name: "database",
    title: "Platform / Database",
    description: "Connection pools and queries of every application, as the applications see them.",
    variables: namespaceAndService("db_queries_total"),
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({
            title: "Fullest pool",
            description: "Checked-out share of the fullest connection pool on its busiest pod; at 100 % requests queue for a connection.",
            unit: "percentunit",
            queries: [{ expr: `max(${usage})` }],
            steps: redFrom(t.database.poolUsageRatio),
          }),
          statPanel({ title: "Query rate", description: "Queries per second.", unit: "ops", queries: [{ expr: sumRate("db_queries_total", S) }] }),
          statPanel({
            title: "Query error ratio, worst service",
            description: "Share of queries that failed, of the service with the highest share.",
            unit: "percentunit",
            queries: [{ expr: `max(${rateRatio("db_queries_total", S, 'status="error"', "service")})` }],
            steps: redFrom(t.database.errorRatio),
          }),
          statPanel({
            title: "Query time p95, worst service",
            description: "95th percentile of query duration, of the slowest service.",
            unit: "s",
            queries: [{ expr: `max(${quantile(0.95, "db_query_duration_seconds", S, "service")})` }],
            steps: redFrom(t.database.p95QuerySeconds),
          }),
        ],
      },
      {
        title: "Connection pools",
        panels: [
          timeseriesPanel({
            title: "Connections by pool",
            description: "Checked-out and idle connections against the pool's maximum.",
            unit: "short",
            queries: [
              { expr: `sum by (service, pool) (db_connections_active{${S}})`, legend: "{{service}}/{{pool}} active" },
              { expr: `sum by (service, pool) (db_connections_idle{${S}})`, legend: "{{service}}/{{pool}} idle" },
              { expr: `sum by (service, pool) (db_pool_max_connections{${S}})`, legend: "{{service}}/{{pool}} max" },
            ],
          }),
          timeseriesPanel({
            title: "Pool usage",
            description: "Checked-out share of each pool, on its busiest pod.",
            unit: "percentunit",
            max: 1,
            queries: [{ expr: `max by (service, pool) (${usage})`, legend: "{{service}}/{{pool}}" }],
          }),
        ],
      },
      {
        title: "Queries",
        panels: [
          timeseriesPanel({
            title: "Queries by operation",
            description: "Queries per second, per operation.",
            unit: "ops",
            queries: [{ expr: sumRate("db_queries_total", S, "operation"), legend: "{{operation}}" }],
          }),
          timeseriesPanel({
            title: "Failed queries by operation",
            description: "Failed queries per second, per operation.",
            unit: "ops",
            queries: [{ expr: sumRate("db_queries_total", `${S}, status="error"`, "operation"), legend: "{{operation}}" }],
          }),
          timeseriesPanel({
            title: "Query time by operation",
            description: "Median and 95th percentile of query duration, per operation.",
            unit: "s",
            width: 24,
            queries: medianAndP95("db_query_duration_seconds", S, "operation"),
          }),
        ],
      },
    ],
  });
}
