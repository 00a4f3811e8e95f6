import { alertRule } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "prometheus";

/** Prometheus' own health: targets it cannot scrape and rules it cannot evaluate in time. */
export const prometheusRules: RuleGroupBuilder = (t) => {
  const p = t.prometheus;
  return {
    name: "platform-prometheus",
    rules: [
      alertRule(RUNBOOK, {
        alert: "PrometheusScrapeFailures",
        expr: `count by (namespace, job) (up == 0)\n/\ncount by (namespace, job) (up)\n> 0`,
        for: p.scrapeFailureFor,
        severity: "warning",
        team: "infrastructure",
        component: "prometheus",
        summary: "Prometheus fails to scrape some targets.",
        description: `{{ $value | humanizePercentage }} of the {{ $labels.job }} targets in {{ $labels.namespace }} have failed to scrape for ${p.scrapeFailureFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "PrometheusRuleEvaluationSlow",
        // A group that takes longer than its interval skips evaluations: its alerts fire late or never.
        expr: `max by (instance, rule_group) (prometheus_rule_group_last_duration_seconds)\n> max by (instance, rule_group) (prometheus_rule_group_interval_seconds)`,
        for: p.ruleEvaluationSlowFor,
        severity: "warning",
        team: "infrastructure",
        component: "prometheus",
        summary: "A rule group takes longer to evaluate than its interval.",
        description: `Prometheus {{ $labels.instance }} needs {{ $value | humanizeDuration }} to evaluate rule group {{ $labels.rule_group }}, longer than its interval, for ${p.ruleEvaluationSlowFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "PrometheusSampleLimitExceeded",
        expr: `sum by (instance) (increase(prometheus_target_scrapes_exceeded_sample_limit_total[5m])) > 0`,
        for: p.sampleLimitFor,
        severity: "warning",
        team: "infrastructure",
        component: "prometheus",
        summary: "Scrapes are dropped for exceeding their sample limit.",
        description: `Prometheus {{ $labels.instance }} dropped {{ $value | humanize }} scrapes in the last 5 minutes because a target exposed more samples than its limit; this has gone on for ${p.sampleLimitFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "PrometheusRuleEvaluationFailures",
        expr: `sum by (instance, rule_group) (increase(prometheus_rule_evaluation_failures_total[5m])) > 0`,
        for: p.ruleFailuresFor,
        severity: "critical",
        team: "infrastructure",
        component: "prometheus",
        summary: "Prometheus fails to evaluate rules, so alerts may be missed.",
        description: `Prometheus {{ $labels.instance }} failed {{ $value | humanize }} evaluations of rule group {{ $labels.rule_group }} in the last 5 minutes, for ${p.ruleFailuresFor}.`,
      }),
    ],
  };
};
