import type { RouteTiming } from "../../../stacks/alert-routing-schema";
import { WATCHDOG_ALERT } from "../rules/prometheus";
import type { PlatformAlert } from "../rules/types";
import type { AlertmanagerConfig, EmailConfig, InhibitRule, PagerdutyConfig, Receiver, Route, SlackConfig } from "./config-types";
import { type AlertRoutingInput, pagesOnCall, RECEIVER, type ReceiverSecrets, teamReceiver } from "./routing-input";

/**
 * Labels alerts are grouped by: one notification per alert and service, and per database for the backup
 * alerts, which have no service: two databases' BackupTooOld are two incidents, each titled with its database
 * (a group of both would have no common database label). Warnings with neither (nodes, certificates) share a
 * notification per alert name, which lists each of them. Inhibition does not use these labels: it compares
 * each alert's own identity (inhibitRules).
 */
export const GROUP_BY = ["alertname", "namespace", "service", "database"] as const;

/**
 * Labels critical alerts are grouped by: GROUP_BY and the instance, so each node, probed endpoint, certificate
 * or server that fails is an incident of its own. A group is one PagerDuty incident (its key is the dedup key),
 * and PagerDuty folds later events of an open incident into it without notifying: grouped by name alone, a
 * second node running out of memory would not page while the first node's incident is acknowledged.
 */
export const CRITICAL_GROUP_BY = [...GROUP_BY, "instance"] as const;

/** What inhibition needs to know about the platform's alerts (PlatformAlert satisfies it). */
export type AlertIdentity = Pick<PlatformAlert, "alert" | "labels" | "identity">;

/**
 * The labels that identify the failing thing in alerts the platform does not define itself (the chart's
 * kubernetes-mixin and node-mixin rules): a critical alert silences a warning of its name only when every
 * one of these is equal, so a critical on one node, pod or volume never silences the warning of another.
 * Labels neither alert has compare equal, which is harmless here: both alerts come from the same rule text.
 */
export const MIXIN_IDENTITY = [
  "namespace",
  "service",
  "job",
  "instance",
  "node",
  "pod",
  "container",
  "device",
  "mountpoint",
  "persistentvolumeclaim",
  "deployment",
  "statefulset",
  "daemonset",
  "job_name",
  "cronjob",
  "horizontalpodautoscaler",
] as const;

/** The alert that explains EndpointAvailabilityLow of the same probe while it fires. */
const ENDPOINT_DOWN = { source: "EndpointDown", target: "EndpointAvailabilityLow" } as const;

/**
 * Name of the alert the alert rules raise when a whole service is unreachable (labels namespace, service,
 * severity=critical). While it fires, every other alert of that service is a symptom of it.
 */
export const SERVICE_DOWN_ALERT = "ServiceDown";

const eq = (label: string, value: string) => `${label}="${value}"`;

function timing(t: RouteTiming): Pick<Route, "group_wait" | "group_interval" | "repeat_interval"> {
  return { group_wait: t.groupWait, group_interval: t.groupInterval, repeat_interval: t.repeatInterval };
}

/**
 * Sends every alert of a route to several receivers. One receiver per integration (instead of one combined
 * receiver) so `amtool config routes test` names each destination and a test can prove who gets paged.
 * The children have no matchers: each matches everything, and `continue` hands the alert to the next.
 */
function fanOut(receivers: readonly string[]): Pick<Route, "receiver" | "routes"> {
  if (receivers.length === 1) return { receiver: receivers[0] };
  return { routes: receivers.map((receiver, i) => (i < receivers.length - 1 ? { receiver, continue: true } : { receiver })) };
}

function slackConfig(input: AlertRoutingInput, channel: string): SlackConfig {
  return {
    send_resolved: true,
    channel,
    title: `[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} (${input.clusterName})`,
    text:
      // "namespace/service: ", or what of it the alert has (node and certificate alerts have neither).
      "{{ range .Alerts }}*{{ .Labels.severity | toUpper }}* {{ if .Labels.service }}{{ with .Labels.namespace }}{{ . }}/{{ end }}{{ .Labels.service }}: {{ else if .Labels.namespace }}{{ .Labels.namespace }}: {{ end }}{{ .Annotations.summary }}\n" +
      "{{ .Annotations.description }}{{ if .Annotations.runbook_url }}\nRunbook: {{ .Annotations.runbook_url }}{{ end }}\n{{ end }}",
  };
}

function emailConfig(input: AlertRoutingInput, to: string): EmailConfig {
  // Resolved mails double an inbox's volume for little value; Slack and PagerDuty show resolution instead.
  return { send_resolved: false, to, headers: { Subject: `[${input.environment}] {{ template "email.default.subject" . }}` } };
}

function pagerdutyConfig(input: AlertRoutingInput, routingKey: string): PagerdutyConfig {
  return {
    send_resolved: true,
    routing_key: routingKey,
    // The incident title names what fails: the service, else the database, else the instance.
    description:
      "{{ .CommonLabels.alertname }}" +
      "{{ with .CommonLabels.service }} {{ with $.CommonLabels.namespace }}{{ . }}/{{ end }}{{ . }}" +
      "{{ else }}{{ with .CommonLabels.database }} database {{ . }}{{ else }}{{ with .CommonLabels.instance }} {{ . }}{{ end }}{{ end }}{{ end }}" +
      ": {{ .CommonAnnotations.summary }}",
    // Only critical routes reach this receiver.
    severity: "critical",
    client: `Alertmanager ${input.clusterName}`,
    details: {
      cluster: input.clusterName,
      namespace: "{{ .CommonLabels.namespace }}",
      service: "{{ .CommonLabels.service }}",
      runbook_url: "{{ .CommonAnnotations.runbook_url }}",
    },
  };
}

function receivers(input: AlertRoutingInput, secrets: ReceiverSecrets, pages: boolean): Receiver[] {
  // Without a webhook (possible in staging only) Slack receivers stay in the tree with no integration,
  // so routing is identical in both stacks and only the delivery differs.
  const slack = (channel: string) => (secrets.slackWebhookUrl ? { slack_configs: [slackConfig(input, channel)] } : {});
  const list: Receiver[] = [
    { name: RECEIVER.default, email_configs: [emailConfig(input, input.alertEmailTo)] },
    { name: RECEIVER.null },
    // Without a URL (allowed in staging only) the receiver stays, with no integration, like Slack's.
    { name: RECEIVER.heartbeat, ...(secrets.heartbeatUrl ? { webhook_configs: [{ send_resolved: false, url: secrets.heartbeatUrl }] } : {}) },
    { name: RECEIVER.slack, ...slack(input.slackChannel) },
  ];
  if (pages) list.push({ name: RECEIVER.pagerduty, pagerduty_configs: [pagerdutyConfig(input, secrets.pagerdutyRoutingKey!)] });
  for (const team of input.alertRouting.teams) {
    list.push({ name: teamReceiver(team.name), ...slack(team.slackChannel), email_configs: [emailConfig(input, team.email)] });
  }
  return list;
}

function routes(input: AlertRoutingInput, pages: boolean): Route[] {
  const { critical, warning, heartbeat } = input.alertRouting.timing;
  const pager = pages ? [RECEIVER.pagerduty] : [];
  const criticalTo = (receivers: readonly string[]): Route => ({ matchers: [eq("severity", "critical")], group_by: [...CRITICAL_GROUP_BY], ...timing(critical), ...fanOut(receivers) });
  return [
    // The dead man's switch: Watchdog fires all the time, so the heartbeat service hears from Alertmanager every
    // repeat_interval, and raises the alarm, from outside the cluster, when Prometheus or Alertmanager dies.
    // Grouped by name alone: one heartbeat, whatever other labels a Watchdog carries (the chart's is disabled,
    // components/alerting/symptoms.ts).
    { matchers: [eq("alertname", WATCHDOG_ALERT)], receiver: RECEIVER.heartbeat, group_by: ["alertname"], ...timing(heartbeat) },
    // kube-prometheus-stack's InfoInhibitor only exists to inhibit; it is not for people.
    { matchers: [eq("alertname", "InfoInhibitor")], receiver: RECEIVER.null },
    // Info alerts are for dashboards, never for a person; before team routes so teams drop them too.
    { matchers: [eq("severity", "info")], receiver: RECEIVER.null },
    // A team's alerts go to the team; severity still decides timing and whether on-call is paged.
    ...input.alertRouting.teams.map(
      (team): Route => ({
        matchers: [eq("team", team.name)],
        receiver: teamReceiver(team.name),
        routes: [
          criticalTo([...pager, teamReceiver(team.name)]),
          { matchers: [eq("severity", "warning")], ...timing(warning), receiver: teamReceiver(team.name) },
        ],
      }),
    ),
    criticalTo([...pager, RECEIVER.slack, RECEIVER.default]),
    { matchers: [eq("severity", "warning")], ...timing(warning), ...fanOut([RECEIVER.slack, RECEIVER.default]) },
  ];
}

/**
 * Inhibition, each rule scoped to the labels that identify the failing thing. Alertmanager treats a label
 * that both alerts lack as equal, so an `equal` list the alerts do not carry (node and certificate alerts
 * have no namespace or service) would let a critical alert on one node silence the warning of another.
 */
function inhibitRules(alerts: readonly AlertIdentity[]): InhibitRule[] {
  const byName = new Map<string, AlertIdentity[]>();
  for (const alert of alerts) byName.set(alert.alert, [...(byName.get(alert.alert) ?? []), alert]);
  const identityOf = (name: string): string[] => {
    const rules = byName.get(name);
    if (!rules) throw new Error(`inhibition: no alert named ${name}`);
    const identities = new Set(rules.map((r) => JSON.stringify(r.identity)));
    if (identities.size !== 1) throw new Error(`inhibition: the rules named ${name} disagree on the labels that identify what fails`);
    return [...rules[0].identity];
  };
  // One alert at two levels: the critical silences the warning (or info) of the same thing.
  const levels: InhibitRule[] = [...byName.entries()]
    .filter(([, rules]) => rules.some((r) => r.labels.severity === "critical") && rules.some((r) => ["warning", "info"].includes(r.labels.severity)))
    .map(([name]) => ({
      source_matchers: [eq("alertname", name), eq("severity", "critical")],
      target_matchers: [eq("alertname", name), 'severity=~"warning|info"'],
      equal: identityOf(name),
    }));
  const platformAlerts = `alertname!~"${[...byName.keys()].join("|")}"`;
  return [
    ...levels,
    // Without `alertname` in `equal`: a service that is down explains every other alert it raises. The
    // source must name its service: with the label missing, `equal` would match every service-less alert
    // of the namespace and a single down job would silence the whole namespace.
    {
      source_matchers: [eq("alertname", SERVICE_DOWN_ALERT), 'service=~".+"'],
      target_matchers: [`alertname!="${SERVICE_DOWN_ALERT}"`],
      equal: ["namespace", "service"],
    },
    // A probe that is down also has a low availability over the window; the outage is the news.
    {
      source_matchers: [eq("alertname", ENDPOINT_DOWN.source)],
      target_matchers: [eq("alertname", ENDPOINT_DOWN.target)],
      equal: identityOf(ENDPOINT_DOWN.source),
    },
    // The chart's own rules: one rule for all, scoped by every label those mixins identify things with.
    {
      source_matchers: [eq("severity", "critical"), platformAlerts],
      target_matchers: ['severity=~"warning|info"', platformAlerts],
      equal: ["alertname", ...MIXIN_IDENTITY],
    },
  ];
}

/**
 * Alertmanager's configuration for one stack: the platform team gets everything unowned (critical pages
 * on-call in production, Slack and mail; warning to Slack and mail; the rest to mail), teams get their own
 * alerts, info goes nowhere, Watchdog goes to the heartbeat service. Staging has no PagerDuty receiver at
 * all, even if a key is set. `alerts` are the platform's alert rules, whose identities scope inhibition.
 */
export function alertmanagerConfig(input: AlertRoutingInput, secrets: ReceiverSecrets, alerts: readonly AlertIdentity[]): AlertmanagerConfig {
  const pages = pagesOnCall(input);
  if (pages && !secrets.pagerdutyRoutingKey) {
    throw new Error("pagerdutyRoutingKey: required when production pages (pagerdutyEnabled: true): pulumi config set --secret pagerdutyRoutingKey <value>");
  }
  if (input.environment === "production" && !secrets.heartbeatUrl) {
    throw new Error("heartbeatUrl: required in production, where nothing else notices a dead Prometheus or Alertmanager: pulumi config set --secret heartbeatUrl <value>");
  }
  return {
    global: {
      resolve_timeout: "5m",
      smtp_smarthost: input.smtpSmarthost,
      smtp_from: input.alertEmailFrom,
      smtp_require_tls: true,
      // The relay account is the sender's address: the stack has no separate SMTP user name.
      ...(secrets.smtpPassword ? { smtp_auth_username: input.alertEmailFrom, smtp_auth_password: secrets.smtpPassword } : {}),
      ...(secrets.slackWebhookUrl ? { slack_api_url: secrets.slackWebhookUrl } : {}),
    },
    route: {
      receiver: RECEIVER.default,
      group_by: [...GROUP_BY],
      ...timing(input.alertRouting.timing.default),
      routes: routes(input, pages),
    },
    receivers: receivers(input, secrets, pages),
    inhibit_rules: inhibitRules(alerts),
  };
}
