import { PROBE_INTERVALS } from "../../core/probe-intervals";
import { alertRule, appNamespaces, LIVE, namespaceOwners, percent, seconds, secondsText, selector } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "availability";
const SERVICE = ["namespace", "service"];
const PROBE = ["namespace", "job", "instance", "service"];
/**
 * More state changes in the availability window than one outage makes (down, then up again): a single
 * outage is ServiceDown's or EndpointDown's, and once it is over the window's low availability is history.
 */
const REPEATED_OUTAGES = 2;

/** Is the service there at all: scrape targets, blackbox probes, and the certificates they present. */
export const availabilityRules: RuleGroupBuilder = (t, context) => {
  const a = t.availability;
  // The blackbox exporter reports a certificate's expiry only after a completed handshake: a probe that cannot
  // connect, or that refuses the certificate because it has expired, reports none, and the alert would resolve
  // then, at the very moment the certificate expires. While its probe still runs, the latest expiry it saw in
  // the warning window stands in (the latest: across the series a relabelled Probe leaves behind, a renewal
  // only moves the expiry later).
  const lastSeenExpiry = `max by (job, instance) (\n  last_over_time(probe_ssl_earliest_cert_expiry[${a.certificateWarning}])\n  and on (job, instance)\n  probe_success\n)`;
  const expiry = `(\n  min by (job, instance) (probe_ssl_earliest_cert_expiry)\n  or\n  ${lastSeenExpiry.replace(/\n/g, "\n  ")}\n) - time()`;
  const expiresIn = (window: string) =>
    `{{ if lt $value 0.0 }}has expired; the probe refuses it, so EndpointDown fires as well{{ else }}expires in {{ $value | humanizeDuration }}, less than ${window}{{ end }}`;
  // Only pod targets count: the app's blackbox Probe also yields `up` with the same namespace, service
  // and role, and it stays 1 while the exporter answers, however dead the app is.
  const serviceUp = `max by (${SERVICE.join(", ")}) (${selector("up", appNamespaces(context), LIVE, 'pod!=""')})`;
  // Whether any instance answered, at every evaluation of the window: one sample per evaluation whatever the
  // number of pods, so a restart that replaces every pod counts once.
  const serviceUpOverWindow = `(${serviceUp})[${a.availabilityWindow}:]`;
  const probeOverWindow = (fn: string, namespaces: string) => `min by (${PROBE.join(", ")}) (${fn}(${selector("probe_success", namespaces)}[${a.availabilityWindow}]))`;
  // A probe_success sample stands until the next run: a `for` no longer than one interval fires on a single
  // failed probe. Two runs of the slowest Probe, or downFor if longer.
  const twoProbes = 2 * Math.max(...Object.values(PROBE_INTERVALS).map(seconds));
  const endpointDownFor = seconds(a.downFor) >= twoProbes ? a.downFor : secondsText(twoProbes);
  // Probes live in the namespace of what they probe: an app's page team application, Grafana's and other
  // platform hostnames' team infrastructure, as the workload alerts split them.
  const owners = namespaceOwners(context);
  return {
    name: "platform-availability",
    rules: [
      alertRule(RUNBOOK, {
        alert: "ServiceDown",
        // Every live instance is down; a partial outage is PrometheusScrapeFailures' business. Alertmanager
        // treats this alert, keyed by namespace and service, as the cause of that service's other alerts.
        expr: `${serviceUp} == 0`,
        for: a.downFor,
        severity: "critical",
        team: "application",
        component: "availability",
        identity: SERVICE,
        summary: "Every instance of a service is down.",
        description: `Prometheus has not been able to scrape any instance of {{ $labels.namespace }}/{{ $labels.service }} for ${a.downFor}.`,
      }),
      alertRule(RUNBOOK, {
        alert: "ServiceAvailabilityLow",
        // A service that keeps dropping out never stays down for ServiceDown's `for`: each answered scrape
        // resets it. Its availability over the window does not reset.
        expr: `avg_over_time(${serviceUpOverWindow}) < ${a.minAvailabilityRatio}\nand\nchanges(${serviceUpOverWindow}) > ${REPEATED_OUTAGES}`,
        for: a.availabilityFor,
        severity: "critical",
        team: "application",
        component: "availability",
        identity: SERVICE,
        summary: "A service keeps going down and coming back.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} answered scrapes only {{ $value | humanizePercentage }} of the last ${a.availabilityWindow}, going down repeatedly, below ${percent(a.minAvailabilityRatio)} for ${a.availabilityFor}.`,
      }),
      ...owners.map((o) =>
        alertRule(RUNBOOK, {
          alert: "EndpointDown",
          // namespace (the Probe's, added by the operator) keeps it groupable and lets ServiceDown silence it.
          expr: `max by (${PROBE.join(", ")}) (${selector("probe_success", o.namespaces)}) == 0`,
          for: endpointDownFor,
          severity: "critical",
          team: o.team,
          component: "availability",
          identity: PROBE,
          summary: "A probed endpoint does not answer correctly.",
          description: `The blackbox probe {{ $labels.job }} has failed against {{ $labels.instance }} for ${endpointDownFor}.`,
        }),
      ),
      ...owners.map((o) =>
        alertRule(RUNBOOK, {
          alert: "EndpointAvailabilityLow",
          expr: `${probeOverWindow("avg_over_time", o.namespaces)} < ${a.minAvailabilityRatio}\nand\n${probeOverWindow("changes", o.namespaces)} > ${REPEATED_OUTAGES}`,
          for: a.availabilityFor,
          severity: "critical",
          team: o.team,
          component: "availability",
          identity: PROBE,
          summary: "A probed endpoint keeps failing and recovering.",
          description: `The blackbox probe {{ $labels.job }} succeeded against {{ $labels.instance }} in only {{ $value | humanizePercentage }} of the last ${a.availabilityWindow}, failing repeatedly, below ${percent(a.minAvailabilityRatio)} for ${a.availabilityFor}.`,
        }),
      ),
      alertRule(RUNBOOK, {
        alert: "TLSCertificateExpiringSoon",
        expr: `${expiry} < ${seconds(a.certificateWarning)}`,
        for: a.certificateFor,
        severity: "warning",
        team: "infrastructure",
        component: "tls",
        identity: ["job", "instance"],
        summary: "A TLS certificate expires soon.",
        description: `The certificate served at {{ $labels.instance }} ${expiresIn(a.certificateWarning)}.`,
      }),
      alertRule(RUNBOOK, {
        // Same name as the warning, so the critical rule silences it once both fire.
        alert: "TLSCertificateExpiringSoon",
        expr: `${expiry} < ${seconds(a.certificateCritical)}`,
        for: a.certificateFor,
        severity: "critical",
        team: "infrastructure",
        component: "tls",
        identity: ["job", "instance"],
        summary: "A TLS certificate is about to expire.",
        description: `The certificate served at {{ $labels.instance }} ${expiresIn(a.certificateCritical)}.`,
      }),
    ],
  };
};
