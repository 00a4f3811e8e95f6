import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { platformDashboard } from "./dashboard";
import { statPanel, tablePanel, timeseriesPanel } from "./panels";
import { labelVariable } from "./variables";

/**
 * What is firing and whether the notification pipeline works. Alertmanager runs as an HA cluster whose
 * replicas each report their own view of the same alerts, so alert counts take the max across replicas
 * while notification counters (each sent by one replica) are summed.
 */
export function alertsDashboard(): Dashboard {
  const sev = `severity=~"$severity"`;
  return platformDashboard({
    name: "alerts",
    title: "Platform / Alerts",
    description: "Firing and pending alerts, how long they have been active, and Alertmanager's notifications.",
    variables: [labelVariable("severity", "Severity", "ALERTS")],
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({
            title: "Critical firing",
            description: "Critical alerts firing now (they page in production).",
            unit: "short",
            queries: [{ expr: 'count(ALERTS{alertstate="firing", severity="critical"}) or vector(0)' }],
            steps: [["green"], [1, "red"]],
          }),
          statPanel({
            title: "Warnings firing",
            description: "Warning alerts firing now.",
            unit: "short",
            queries: [{ expr: 'count(ALERTS{alertstate="firing", severity="warning"}) or vector(0)' }],
            steps: [["green"], [1, "orange"]],
          }),
          statPanel({
            title: "Pending",
            description: "Alerts whose condition holds but whose `for` window has not passed yet.",
            unit: "short",
            queries: [{ expr: 'count(ALERTS{alertstate="pending"}) or vector(0)' }],
          }),
          statPanel({
            title: "Watchdog",
            description: "1 while the always-firing Watchdog alert reaches Prometheus: 0 means alerting itself is broken.",
            unit: "short",
            queries: [{ expr: 'count(ALERTS{alertname="Watchdog", alertstate="firing"}) or vector(0)' }],
            steps: [["red"], [1, "green"]],
          }),
        ],
      },
      {
        title: "Alerts",
        panels: [
          tablePanel({
            title: "Active alerts and their age",
            // ALERTS_FOR_STATE holds the time each alert's condition started to hold.
            description: "Every pending or firing alert with a `for` window, with its labels and how long its condition has held.",
            unit: "s",
            queries: [{ expr: `time() - ALERTS_FOR_STATE{${sev}}` }],
          }),
          timeseriesPanel({
            title: "Firing alerts by name",
            description: "Firing alerts over time, per alert name and severity.",
            unit: "short",
            stacked: true,
            width: 24,
            queries: [{ expr: `count by (alertname, severity) (ALERTS{alertstate="firing", ${sev}})`, legend: "{{alertname}} ({{severity}})" }],
          }),
        ],
      },
      {
        title: "Alertmanager",
        panels: [
          timeseriesPanel({
            title: "Notifications sent",
            description: "Notifications per second, per integration (email, slack, pagerduty).",
            unit: "ops",
            queries: [{ expr: "sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))", legend: "{{integration}}" }],
          }),
          timeseriesPanel({
            title: "Failed notifications",
            description: "Notifications that could not be delivered, per integration: anything here means someone was not told.",
            unit: "ops",
            queries: [{ expr: "sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))", legend: "{{integration}}" }],
          }),
          timeseriesPanel({
            title: "Alerts in Alertmanager",
            description: "Alerts Alertmanager holds, by state: suppressed ones are inhibited or silenced.",
            unit: "short",
            queries: [{ expr: "max by (state) (alertmanager_alerts)", legend: "{{state}}" }],
          }),
          timeseriesPanel({
            title: "Silences",
            description: "Silences, by state.",
            unit: "short",
            queries: [{ expr: "max by (state) (alertmanager_silences)", legend: "{{state}}" }],
          }),
        ],
      },
    ],
  });
}
