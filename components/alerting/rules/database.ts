import { alertRule, LIVE, percent, quantile, rateRatio, secondsText, selector, sumRate, unlessFiring } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "database";

const SERVICE = ["namespace", "service"];

/**
 * The applications' view of their database: pool pressure, slow queries and failing queries. The error
 * ratio pages only with a minimum query rate all through its `for`, like HttpHighErrorRate; otherwise the same
 * ratio is a ticket.
 */
export const databaseRules: RuleGroupBuilder = (t) => {
  const { poolUsageRatio, poolFor, p95QuerySeconds, slowQueryFor, errorRatio, errorFor, minQueriesPerSecond } = t.database;
  const errors = `${rateRatio("db_queries_total", `status="error"`, SERVICE, "5m", LIVE)}\n> ${errorRatio}`;
  const queries = sumRate("db_queries_total", SERVICE, "5m", LIVE);
  return {
    name: "platform-database",
    rules: [
      alertRule(RUNBOOK, {
        alert: "DatabaseConnectionPoolExhausted",
        // Each pod has its own pool, so the ratio is per pod; the busiest pod speaks for the service.
        expr: `max by (namespace, service, pool) (\n  ${selector("db_connections_active", LIVE)}\n  / ${selector("db_pool_max_connections", LIVE)}\n) > ${poolUsageRatio}`,
        for: poolFor,
        severity: "critical",
        team: "database",
        component: "database",
        identity: ["namespace", "service", "pool"],
        summary: "A database connection pool is nearly exhausted.",
        description: `Pool {{ $labels.pool }} of {{ $labels.namespace }}/{{ $labels.service }} has {{ $value | humanizePercentage }} of its connections in use on its busiest pod, above ${percent(poolUsageRatio)} for ${poolFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "DatabaseSlowQueries",
        expr: `${quantile(0.95, "db_query_duration_seconds", SERVICE, "5m", p95QuerySeconds, "database.p95QuerySeconds")}\n> ${p95QuerySeconds}`,
        for: slowQueryFor,
        severity: "warning",
        team: "database",
        component: "database",
        identity: SERVICE,
        summary: "Database queries are slow.",
        description: `The 95th percentile query time of {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95QuerySeconds)} for ${slowQueryFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "DatabaseHighErrorRate",
        expr: `${errors}\nand on (namespace, service)\n${queries} >= ${minQueriesPerSecond}`,
        for: errorFor,
        severity: "critical",
        team: "database",
        component: "database",
        identity: SERVICE,
        summary: "Many database queries fail.",
        description: `{{ $value | humanizePercentage }} of the database queries of {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(errorRatio)} for ${errorFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "DatabaseHighErrorRateLowTraffic",
        // Whenever the page does not fire, not whenever the query rate is below its minimum: a rate hovering around
        // the minimum restarted both rules' `for` at every crossing, and neither fired.
        expr: `${errors}\n${unlessFiring("DatabaseHighErrorRate", SERVICE)}`,
        for: errorFor,
        severity: "warning",
        team: "database",
        component: "database",
        identity: SERVICE,
        summary: "Many of the few database queries of a service fail.",
        description: `{{ $value | humanizePercentage }} of the database queries of {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(errorRatio)} for ${errorFor}, with too few queries to page on: DatabaseHighErrorRate pages only with ${minQueriesPerSecond} queries per second or more all that time.`,
      }),
    ],
  };
};
