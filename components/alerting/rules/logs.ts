import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "logs";
const BY = ["namespace", "job"];
/** Long enough that a Loki rollout, whose pushes Alloy retries, does not fire it; lost lines go on longer. */
const DROPPING_FOR = "10m";

/**
 * The log pipeline's one loss Prometheus sees: Alloy's loki.write giving up on entries (Loki refusing them,
 * rate or stream limits, lines too long, retries exhausted). A dropped entry is gone for good, so any drop
 * that lasts counts; the apps never notice, which is why nothing else would.
 */
export const logRules: RuleGroupBuilder = () => {
  const alloy = `job="${EXPORTER_JOBS.alloy}"`;
  return {
    name: "platform-logs",
    rules: [
      alertRule(RUNBOOK, {
        alert: "LogEntriesDropped",
        expr: `sum by (namespace, job) (increase(loki_write_dropped_entries_total{${alloy}}[${DROPPING_FOR}])) > 0`,
        for: DROPPING_FOR,
        severity: "warning",
        team: "infrastructure",
        component: "logging",
        identity: BY,
        summary: "The log collector drops log entries it cannot deliver to Loki.",
        description: `{{ $labels.job }} in {{ $labels.namespace }} dropped {{ $value | humanize }} log entries in the last ${DROPPING_FOR} and has kept dropping them for ${DROPPING_FOR}; those lines are not in Loki and never will be.`,
      }),
    ],
  };
};
