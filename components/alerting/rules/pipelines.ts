import { alertRule, LIVE, percent, quantile, rateRatio, secondsText } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "pipelines";

/**
 * Pipeline runs are few and long, so both rules look back further than request rules: 30 minutes of
 * finished runs for the failure ratio, an hour for the duration quantile.
 */
export const pipelineRules: RuleGroupBuilder = (t) => {
  const { failureRatio, failureFor, p95DurationSeconds, durationFor } = t.pipelines;
  return {
    name: "platform-pipelines",
    rules: [
      alertRule(RUNBOOK, {
        alert: "PipelineHighFailureRate",
        expr: `${rateRatio("pipeline_executions_total", `status="failed"`, ["namespace", "service"], "30m", LIVE)}\n> ${failureRatio}`,
        for: failureFor,
        severity: "warning",
        team: "data-engineering",
        component: "pipeline",
        identity: ["namespace", "service"],
        summary: "Many pipeline runs fail.",
        description: `{{ $value | humanizePercentage }} of the pipeline runs of {{ $labels.namespace }}/{{ $labels.service }} failed in the last 30 minutes, above ${percent(failureRatio)} for ${failureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "PipelineLongRunning",
        expr: `${quantile(0.95, "pipeline_execution_duration_seconds", ["namespace", "service"], "1h", p95DurationSeconds, "pipelines.p95DurationSeconds")}\n> ${p95DurationSeconds}`,
        for: durationFor,
        severity: "warning",
        team: "data-engineering",
        component: "pipeline",
        identity: ["namespace", "service"],
        summary: "Pipeline runs take too long.",
        description: `The 95th percentile duration of the pipeline runs of {{ $labels.namespace }}/{{ $labels.service }} that finished in the last hour is {{ $value | humanizeDuration }}, above ${secondsText(p95DurationSeconds)} for ${durationFor}.`,
      }),
    ],
  };
};
