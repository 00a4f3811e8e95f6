import { EXPORTER_JOBS } from "../../metrics/exporter-metrics";
import { alertRule, anyOf, appNamespaces, LIVE, selector } from "./promql";
import type { RuleGroupBuilder, Severity } from "./types";

const RUNBOOK = "prometheus";

/** Name of the always-firing alert the dead man's switch listens for (Alertmanager routes it to the heartbeat). */
export const WATCHDOG_ALERT = "Watchdog";

/**
 * How long a job may have no target at all before ScrapeTargetsMissing fires: as the chart's KubeAPIDown and
 * KubeletDown wait for theirs. Long enough for Prometheus restarted with an empty TSDB to discover and scrape
 * every target (its first scrape comes within a scrape interval), and for an evicted exporter to be rescheduled
 * and pull its image; short enough that a blind area is news within the quarter hour. Fixed, as no stack has
 * asked for another.
 */
export const TARGETS_MISSING_FOR = "15m";

/**
 * Each exporter job's place in ScrapeTargetsMissing, so that a job added to EXPORTER_JOBS is a compile error
 * until someone decides. A watched job's severity is the highest of the platform's alerts that read its series
 * (tests/alerting/rules.spec.ts holds it to them): its absence silences those alerts, so it is as urgent as the
 * most urgent of them. node-exporter feeds NodeHighMemoryUsage and NodeHighDiskUsage's pages and
 * kube-state-metrics BackupTooOld's (and the chart's KubeletDown reads its kube_node_info): losing them is a
 * page. The controllers', Alloy's and Tempo's alerts are tickets, and so is their going blind. The others'
 * absence already has its alert.
 */
export const TARGETS_MISSING: Readonly<Record<Exclude<keyof typeof EXPORTER_JOBS, "cadvisorMetricsPath">, Severity | { readonly reportedBy: string }>> = {
  nodeExporter: "critical",
  kubeStateMetrics: "critical",
  apiServer: { reportedBy: "KubeAPIDown" },
  // cAdvisor is scraped through the kubelet: the same targets.
  kubelet: { reportedBy: "KubeletDown" },
  alloy: "warning",
  tempo: "warning",
  certManager: "warning",
  externalSecrets: "warning",
  externalDns: "warning",
  envoyGateway: "warning",
};

/** The `job` labels ScrapeTargetsMissing watches at `severity`, in EXPORTER_JOBS' order. */
export function targetsMissingJobs(severity: Severity): string[] {
  return Object.entries(TARGETS_MISSING).flatMap(([key, watch]) => (watch === severity ? [EXPORTER_JOBS[key as keyof typeof TARGETS_MISSING]] : []));
}

/**
 * Prometheus' own health: targets it cannot scrape and rules it cannot evaluate in time; and the Watchdog,
 * whose steady stream of notifications an external heartbeat service expects. Sample limits are not
 * alerted on: the platform sets none, so prometheus_target_scrapes_exceeded_sample_limit_total never moves.
 */
export const prometheusRules: RuleGroupBuilder = (t, context) => {
  const p = t.prometheus;
  // Targets whose loss another alert reports, named in components/alerting/symptoms.ts: the API servers'
  // (KubeAPIInstanceUnreachable), the kubelets' (KubeletInstanceUnreachable, KubeletDown), and a blue-green
  // app's preview pods (BlueGreenPreviewUnhealthy, team application), which production keeps running.
  const targets = selector("up", `job!~"${anyOf([EXPORTER_JOBS.apiServer, EXPORTER_JOBS.kubelet])}"`, LIVE);
  // An application whose every live instance is down is ServiceDown's. Its ServiceMonitor names the job after
  // the app (jobLabel app.kubernetes.io/name), which is also the `service` label ServiceDown reports.
  const serviceDown = `label_replace(\n  max by (namespace, service) (${selector("up", appNamespaces(context), LIVE, 'pod!=""')}) == 0,\n  "job", "$1", "service", "(.+)"\n)`;
  return {
    name: "platform-prometheus",
    rules: [
      alertRule(RUNBOOK, {
        alert: WATCHDOG_ALERT,
        // Owned by the platform rather than borrowed from the chart's defaultRules, so the dead man's switch
        // does not depend on which of the chart's rule groups a stack keeps.
        expr: "vector(1)",
        // Firing from the first evaluation: after a restart, the heartbeat resumes as soon as it can.
        for: "0s",
        severity: "none",
        team: "infrastructure",
        component: "alerting",
        identity: [],
        summary: "The alerting pipeline works: this alert always fires.",
        description:
          "Prometheus evaluates rules and reaches Alertmanager, which sends this alert to the external heartbeat service. If the heartbeat service stops hearing it, Prometheus or Alertmanager is down.",
      }),
      alertRule(RUNBOOK, {
        alert: "PrometheusScrapeFailures",
        expr: `count by (namespace, job) (${targets} == 0)\n/\ncount by (namespace, job) (${targets})\n> 0\nunless on (namespace, job)\n${serviceDown}`,
        for: p.scrapeFailureFor,
        severity: "warning",
        team: "infrastructure",
        component: "prometheus",
        identity: ["namespace", "job"],
        summary: "Prometheus fails to scrape some targets.",
        description: `{{ $value | humanizePercentage }} of the {{ $labels.job }} targets in {{ $labels.namespace }} have failed to scrape for ${p.scrapeFailureFor}.`,
      }),
      ...(["critical", "warning"] as const).map((severity) =>
        alertRule(RUNBOOK, {
          alert: "ScrapeTargetsMissing",
          // Every target gone takes the job's `up` with it, so PrometheusScrapeFailures (up == 0) cannot see it.
          // absent() of an equality matcher keeps that matcher's label: one alert per job. A replaced target (a
          // rollout, a rescheduled pod) leaves a gap of a scrape or two, well inside `for`.
          expr: targetsMissingJobs(severity)
            .map((job) => `absent(${selector("up", `job="${job}"`)})`)
            .join("\nor\n"),
          for: TARGETS_MISSING_FOR,
          severity,
          team: "infrastructure",
          component: "prometheus",
          identity: ["job"],
          summary: "Prometheus has no target of a job the alerts depend on, so the alerts on its series cannot fire.",
          description: `Prometheus has had no {{ $labels.job }} target to scrape for ${TARGETS_MISSING_FOR}: every alert on its series is silent until it is back.`,
        }),
      ),
      alertRule(RUNBOOK, {
        alert: "PrometheusRuleEvaluationSlow",
        // A group that takes longer than its interval skips evaluations: its alerts fire late or never.
        expr: `max by (instance, rule_group) (prometheus_rule_group_last_duration_seconds)\n> max by (instance, rule_group) (prometheus_rule_group_interval_seconds)`,
        for: p.ruleEvaluationSlowFor,
        severity: "warning",
        team: "infrastructure",
        component: "prometheus",
        identity: ["instance", "rule_group"],
        summary: "A rule group takes longer to evaluate than its interval.",
        description: `Prometheus {{ $labels.instance }} needs {{ $value | humanizeDuration }} to evaluate rule group {{ $labels.rule_group }}, longer than its interval, for ${p.ruleEvaluationSlowFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "PrometheusRuleEvaluationFailures",
        expr: `sum by (instance, rule_group) (increase(prometheus_rule_evaluation_failures_total[5m])) > 0`,
        for: p.ruleFailuresFor,
        severity: "critical",
        team: "infrastructure",
        component: "prometheus",
        identity: ["instance", "rule_group"],
        summary: "Prometheus fails to evaluate rules, so alerts may be missed.",
        description: `Prometheus {{ $labels.instance }} failed {{ $value | humanize }} evaluations of rule group {{ $labels.rule_group }} in the last 5 minutes, for ${p.ruleFailuresFor}.`,
      }),
    ],
  };
};
