import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { platformDashboard } from "./dashboard";
import { statPanel, timeseriesPanel } from "./panels";
import { sumIncrease, sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService } from "./variables";

/**
 * Gauges of the whole application (users_total, users_active_daily): every pod reports the same values, so
 * the highest of its pods per service and `kept` label, summed over services (per `by` when given).
 */
function perService(metric: string, kept = "", by = ""): string {
  return `sum${by ? ` by (${by})` : ""} (max by (namespace, service${kept ? `, ${kept}` : ""}) (${metric}{${S}}))`;
}

/** What the platform delivers: users, API usage and data volume. No alert thresholds: these are trends. */
export function businessDashboard(): Dashboard {
  return platformDashboard({
    name: "business",
    title: "Platform / Business",
    description: "Registered and active users, public API usage and the volume of data processed.",
    variables: namespaceAndService("api_calls_total"),
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({ title: "Registered users", description: "Users registered, all roles.", unit: "short", queries: [{ expr: perService("users_total", "user_role") }] }),
          statPanel({ title: "Daily active users", description: "Distinct users active in the last 24 hours.", unit: "short", queries: [{ expr: perService("users_active_daily") }] }),
          statPanel({ title: "API calls (24h)", description: "Public API calls served in the last 24 hours.", unit: "short", queries: [{ expr: sumIncrease("api_calls_total", S, "24h") }] }),
          statPanel({
            title: "Data processed (24h)",
            description: "Bytes of data processed in the last 24 hours.",
            unit: "bytes",
            queries: [{ expr: sumIncrease("data_volume_processed_bytes", S, "24h") }],
          }),
        ],
      },
      {
        title: "Trends",
        panels: [
          timeseriesPanel({
            title: "Users by role",
            description: "Registered users, per user role.",
            unit: "short",
            stacked: true,
            queries: [{ expr: perService("users_total", "user_role", "user_role"), legend: "{{user_role}}" }],
          }),
          timeseriesPanel({
            title: "Active users",
            description: "Distinct users active in the last 24 hours, and sessions open now.",
            unit: "short",
            queries: [
              { expr: perService("users_active_daily"), legend: "daily active users" },
              { expr: `sum(active_sessions{${S}})`, legend: "active sessions" },
            ],
          }),
          timeseriesPanel({
            title: "API calls",
            description: "Public API calls per second, per service.",
            unit: "reqps",
            queries: [{ expr: sumRate("api_calls_total", S, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Data processed by source",
            description: "Bytes per second of data processed, per source.",
            unit: "Bps",
            stacked: true,
            queries: [{ expr: sumRate("data_volume_processed_bytes", S, "source"), legend: "{{source}}" }],
          }),
        ],
      },
    ],
  });
}
