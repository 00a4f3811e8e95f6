import { alertRule, appNamespaces, LIVE, seconds, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "availability";

/** Is the service there at all: scrape targets, blackbox probes, and the certificates they present. */
export const availabilityRules: RuleGroupBuilder = (t, context) => {
  const a = t.availability;
  const expiry = `min by (job, instance) (probe_ssl_earliest_cert_expiry) - time()`;
  return {
    name: "platform-availability",
    rules: [
      alertRule(RUNBOOK, {
        alert: "ServiceDown",
        // Every live instance is down; a partial outage is PrometheusScrapeFailures' business. Alertmanager
        // treats this alert, keyed by namespace and service, as the cause of that service's other alerts.
        // Only pod targets count: the app's blackbox Probe also yields `up` with the same namespace, service
        // and role, and it stays 1 while the exporter answers, however dead the app is.
        expr: `max by (namespace, service) (${selector("up", appNamespaces(context), LIVE, 'pod!=""')}) == 0`,
        for: a.downFor,
        severity: "critical",
        team: "application",
        component: "availability",
        summary: "Every instance of a service is down.",
        description: `Prometheus has not been able to scrape any instance of {{ $labels.namespace }}/{{ $labels.service }} for ${a.downFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "EndpointDown",
        // namespace (the Probe's, added by the operator) keeps it groupable and lets ServiceDown silence it.
        expr: `max by (namespace, job, instance, service) (probe_success) == 0`,
        for: a.downFor,
        severity: "critical",
        team: "application",
        component: "availability",
        summary: "A probed endpoint does not answer correctly.",
        description: `The blackbox probe {{ $labels.job }} has failed against {{ $labels.instance }} for ${a.downFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "TLSCertificateExpiringSoon",
        expr: `${expiry} < ${seconds(a.certificateWarning)}`,
        for: a.certificateFor,
        severity: "warning",
        team: "infrastructure",
        component: "tls",
        summary: "A TLS certificate expires soon.",
        description: `The certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}, less than ${a.certificateWarning}.`,
      }),
      alertRule(RUNBOOK, {
        // Same name as the warning, so the critical rule silences it once both fire.
        alert: "TLSCertificateExpiringSoon",
        expr: `${expiry} < ${seconds(a.certificateCritical)}`,
        for: a.certificateFor,
        severity: "critical",
        team: "infrastructure",
        component: "tls",
        summary: "A TLS certificate is about to expire.",
        description: `The certificate served at {{ $labels.instance }} expires in {{ $value | humanizeDuration }}, less than ${a.certificateCritical}.`,
      }),
    ],
  };
};
