import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "logs";
const BY = ["namespace", "job"];

/**
 * The log pipeline's one loss Prometheus sees: Alloy's loki.write giving up on entries (Loki refusing them,
 * rate or stream limits, lines too long, retries exhausted). A dropped entry is gone for good, so any drop
 * that lasts counts; the apps never notice, which is why nothing else would.
 */
export const logRules: RuleGroupBuilder = (t) => {
  const alloy = `job="${EXPORTER_JOBS.alloy}"`;
  // Both the window the drops are counted over and how long they must go on: a Loki rollout, whose pushes
  // Alloy retries, drops nothing; lost lines go on longer.
  const window = t.logs.droppedEntriesFor;
  return {
    name: "platform-logs",
    rules: [
      alertRule(RUNBOOK, {
        alert: "LogEntriesDropped",
        expr: `sum by (${BY.join(", ")}) (increase(loki_write_dropped_entries_total{${alloy}}[${window}])) > 0`,
        for: window,
        severity: "warning",
        team: "infrastructure",
        component: "logging",
        identity: BY,
        summary: "The log collector drops log entries it cannot deliver to Loki.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} dropped {{ $value | humanize }} log entries in the last ${window} and has kept dropping them for ${window}; those lines are not in Loki and never will be.`,
      }),
    ],
  };
};
