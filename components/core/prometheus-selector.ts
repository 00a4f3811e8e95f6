/**
 * Labels Prometheus selects PrometheusRules, ServiceMonitors, PodMonitors and Probes by, in every namespace.
 * It is the chart's own release label on purpose: the chart and its subcharts (kube-state-metrics,
 * node-exporter) already put it on their monitors and rules, so one explicit selector covers theirs and ours.
 * It lives in core because every area that ships a monitor or a rule (alerting, apps, dns, secrets,
 * certificates) must carry it, and none of them should depend on components/monitoring to know it.
 */
export const PROMETHEUS_SELECTOR_LABELS: Readonly<Record<string, string>> = { release: "kube-prometheus-stack" };
