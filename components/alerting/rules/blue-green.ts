import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, percent, rateRatio, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "blue-green";
const PREVIEW = `role="preview"`;
/** A preview is one colour of one service. */
const BY_COLOR = ["namespace", "service", "color"];

/**
 * The pods behind a preview Service that are not ready: its scrape targets (`up` carries service, role and
 * color), less the pods kube-state-metrics reports ready. One series per pod.
 */
const unreadyPreviewPods =
  `group by (namespace, service, color, pod) (${selector("up", PREVIEW)})\n` +
  `  unless on (namespace, pod)\n  max by (namespace, pod) (${selector("kube_pod_status_ready", `job="${EXPORTER_JOBS.kubeStateMetrics}"`, `condition="true"`)}) == 1`;

/** Unready preview pods per preview: BlueGreenPreviewUnhealthy's value. */
const unreadyPreviews = `count by (${BY_COLOR.join(", ")}) (\n  ${unreadyPreviewPods}\n)`;

/**
 * The colour Deployments (colorDeploymentName: `<service>-<color>`, components/apps/workload.ts) of the previews that
 * BlueGreenPreviewUnhealthy reports, as `{namespace, deployment}`: DeploymentReplicasMismatch leaves them
 * out, so a preview colour that production keeps running and that fails is one alert, not two. A preview
 * whose pods never got a scrape target (Pending) is not among them and stays DeploymentReplicasMismatch's.
 */
export const previewDeploymentsReported = `label_join(\n  ${unreadyPreviews.replace(/\n/g, "\n  ")},\n  "deployment", "-", "service", "color"\n)`;

/**
 * The preview version of a blue-green application, before it takes traffic. Series labels are those of
 * BLUE_GREEN_SERIES_LABELS: `role` from the Service, `color` from the pod.
 */
export const blueGreenRules: RuleGroupBuilder = (t) => {
  const g = t.blueGreen;
  return {
    name: "platform-blue-green",
    rules: [
      alertRule(RUNBOOK, {
        alert: "BlueGreenPreviewUnhealthy",
        expr: unreadyPreviews,
        for: g.previewNotReadyFor,
        severity: "warning",
        team: "application",
        component: "blue-green",
        identity: BY_COLOR,
        summary: "Pods of a blue-green preview are not ready.",
        description: `{{ $value | humanize }} preview pod(s) ({{ $labels.color }}) of {{ $labels.namespace }}/{{ $labels.service }} have not been ready for ${g.previewNotReadyFor}; do not promote them.`,
      }),
      alertRule(RUNBOOK, {
        alert: "BlueGreenPreviewErrorRatioHigh",
        expr: `${rateRatio("http_requests_total", `status=~"5.."`, BY_COLOR, "5m", PREVIEW)}\n> ${g.previewErrorRatio}`,
        for: g.previewErrorFor,
        severity: "warning",
        team: "application",
        component: "blue-green",
        identity: BY_COLOR,
        summary: "A blue-green preview answers too many requests with a server error.",
        description: `The preview ({{ $labels.color }}) of {{ $labels.namespace }}/{{ $labels.service }} answers {{ $value | humanizePercentage }} of its requests with a 5xx status, above ${percent(g.previewErrorRatio)} for ${g.previewErrorFor}; do not promote it.`,
      }),
    ],
  };
};
