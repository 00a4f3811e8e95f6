import { alertRule, LIVE, percent, quantile, rateRatio, secondsText } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "transformations";

/** Data transformations, per transformation type. */
export const transformationRules: RuleGroupBuilder = (t) => {
  const { failureRatio, failureFor, p95DurationSeconds, durationFor } = t.transformations;
  const by = ["namespace", "service", "transformation_type"];
  return {
    name: "platform-transformations",
    rules: [
      alertRule(RUNBOOK, {
        alert: "TransformationHighFailureRate",
        expr: `${rateRatio("transformations_total", `status="failed"`, by, "5m", LIVE)}\n> ${failureRatio}`,
        for: failureFor,
        severity: "warning",
        team: "data-engineering",
        component: "transformation",
        identity: by,
        summary: "Many transformations fail.",
        description: `{{ $value | humanizePercentage }} of the {{ $labels.transformation_type }} transformations of {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(failureRatio)} for ${failureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "TransformationSlow",
        expr: `${quantile(0.95, "transformation_duration_seconds", by, "5m", p95DurationSeconds, "transformations.p95DurationSeconds")}\n> ${p95DurationSeconds}`,
        for: durationFor,
        severity: "warning",
        team: "data-engineering",
        component: "transformation",
        identity: by,
        summary: "Transformations take too long.",
        description: `The 95th percentile run time of the {{ $labels.transformation_type }} transformations of {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95DurationSeconds)} for ${durationFor}.`,
      }),
    ],
  };
};
