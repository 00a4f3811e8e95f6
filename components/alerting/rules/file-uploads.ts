import { alertRule, LIVE, percent, quantile, rateRatio, secondsText } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "file-uploads";

/** Uploads that fail and uploaded files that take too long to process. */
export const fileUploadRules: RuleGroupBuilder = (t) => {
  const { failureRatio, failureFor, p95ProcessingSeconds, processingFor } = t.fileUploads;
  return {
    name: "platform-file-uploads",
    rules: [
      alertRule(RUNBOOK, {
        alert: "FileUploadHighFailureRate",
        expr: `${rateRatio("file_uploads_total", `status="failed"`, ["namespace", "service"], "5m", LIVE)}\n> ${failureRatio}`,
        for: failureFor,
        severity: "warning",
        team: "application",
        component: "file-upload",
        identity: ["namespace", "service"],
        summary: "Many file uploads fail.",
        description: `{{ $value | humanizePercentage }} of the file uploads to {{ $labels.namespace }}/{{ $labels.service }} fail, above ${percent(failureRatio)} for ${failureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "FileProcessingSlow",
        expr: `${quantile(0.95, "file_processing_duration_seconds", ["namespace", "service", "file_type"], "5m", p95ProcessingSeconds, "fileUploads.p95ProcessingSeconds")}\n> ${p95ProcessingSeconds}`,
        for: processingFor,
        severity: "warning",
        team: "application",
        component: "file-upload",
        identity: ["namespace", "service", "file_type"],
        summary: "Uploaded files take too long to process.",
        description: `The 95th percentile processing time of {{ $labels.file_type }} files in {{ $labels.namespace }}/{{ $labels.service }} is {{ $value | humanizeDuration }}, above ${secondsText(p95ProcessingSeconds)} for ${processingFor}.`,
      }),
    ],
  };
};
