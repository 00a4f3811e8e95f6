import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, timeseriesPanel } from "./panels";
import { medianAndP95, quantile, rateRatio, sumIncrease, sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService } from "./variables";

/**
 * Data pipelines and what feeds them: runs, records, errors, transformations and file uploads. Runs are
 * minutes to hours long and rare, so the "now" figures look back an hour rather than one rate interval.
 */
export function pipelinesDashboard(t: AlertThresholds): Dashboard {
  return platformDashboard({
    name: "pipelines",
    title: "Platform / Pipelines",
    description: "Pipeline runs, records processed and errors, with the transformations and file uploads that feed them.",
    variables: namespaceAndService("pipeline_executions_total"),
    rows: [
      {
        title: "Last hour",
        panels: [
          statPanel({ title: "Runs finished", description: "Pipeline runs that finished in the last hour.", unit: "short", queries: [{ expr: sumIncrease("pipeline_executions_total", S, "1h") }] }),
          statPanel({
            title: "Failure ratio, worst service",
            description: "Share of the last hour's runs that failed, of the service with the highest share.",
            unit: "percentunit",
            queries: [{ expr: `max(${rateRatio("pipeline_executions_total", S, 'status="failed"', "service", "1h")})` }],
            steps: redFrom(t.pipelines.failureRatio),
          }),
          statPanel({
            title: "Run time p95, worst service",
            description: "95th percentile duration of the last hour's runs, of the slowest service.",
            unit: "s",
            queries: [{ expr: `max(${quantile(0.95, "pipeline_execution_duration_seconds", S, "service", "1h")})` }],
            steps: redFrom(t.pipelines.p95DurationSeconds),
          }),
          statPanel({
            title: "Pipelines configured",
            description: "Pipelines defined, by status.",
            unit: "short",
            queries: [{ expr: `sum by (status) (pipelines_configured{${S}})`, legend: "{{status}}" }],
          }),
        ],
      },
      {
        title: "Runs",
        panels: [
          timeseriesPanel({
            title: "Runs by status",
            description: "Finished runs per second, by outcome.",
            unit: "ops",
            stacked: true,
            queries: [{ expr: sumRate("pipeline_executions_total", S, "status"), legend: "{{status}}" }],
          }),
          timeseriesPanel({
            title: "Run time",
            description: "Median and 95th percentile run duration, per service.",
            unit: "s",
            queries: medianAndP95("pipeline_execution_duration_seconds", S, "service", "1h"),
          }),
          timeseriesPanel({
            title: "Records processed",
            description: "Records per second, per service.",
            unit: "short",
            queries: [{ expr: sumRate("pipeline_records_processed_total", S, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Errors by type",
            description: "Errors raised inside runs per second, by error type.",
            unit: "ops",
            queries: [{ expr: sumRate("pipeline_errors_total", S, "error_type"), legend: "{{error_type}}" }],
          }),
        ],
      },
      {
        title: "Transformations",
        panels: [
          timeseriesPanel({
            title: "Transformations by status",
            description: "Transformations per second, per type and outcome.",
            unit: "ops",
            queries: [{ expr: sumRate("transformations_total", S, "transformation_type, status"), legend: "{{transformation_type}} {{status}}" }],
          }),
          timeseriesPanel({
            title: "Transformation time p95",
            description: "95th percentile transformation duration, per type.",
            unit: "s",
            queries: [{ expr: quantile(0.95, "transformation_duration_seconds", S, "transformation_type"), legend: "{{transformation_type}}" }],
          }),
          timeseriesPanel({
            title: "Records transformed",
            description: "Records per second, per transformation type.",
            unit: "short",
            width: 24,
            queries: [{ expr: sumRate("transformation_records_processed_total", S, "transformation_type"), legend: "{{transformation_type}}" }],
          }),
        ],
      },
      {
        title: "File uploads",
        panels: [
          timeseriesPanel({
            title: "Uploads by status",
            description: "File uploads per second, by outcome.",
            unit: "ops",
            stacked: true,
            queries: [{ expr: sumRate("file_uploads_total", S, "status"), legend: "{{status}}" }],
          }),
          timeseriesPanel({
            title: "Upload size p95",
            description: "95th percentile size of uploaded files.",
            unit: "bytes",
            queries: [{ expr: quantile(0.95, "file_upload_size_bytes", S, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Processing time p95",
            description: "95th percentile time to process an uploaded file, per file type.",
            unit: "s",
            width: 24,
            queries: [{ expr: quantile(0.95, "file_processing_duration_seconds", S, "file_type"), legend: "{{file_type}}" }],
          }),
        ],
      },
    ],
  });
}
