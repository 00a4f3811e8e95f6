import type { RouteTiming } from "../../../stacks/alert-routing-schema";
import type { AlertmanagerConfig, EmailConfig, InhibitRule, PagerdutyConfig, Receiver, Route, SlackConfig } from "./config-types";
import { type AlertRoutingInput, pagesOnCall, RECEIVER, type ReceiverSecrets, teamReceiver } from "./routing-input";

/**
 * Labels alerts are grouped by. Inhibition compares the same labels, so a critical alert silences exactly
 * the warnings that would have landed in its own notification group.
 */
export const GROUP_BY = ["alertname", "namespace", "service"] as const;

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
    description: "{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}",
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
    { name: RECEIVER.slack, ...slack(input.slackChannel) },
  ];
  if (pages) list.push({ name: RECEIVER.pagerduty, pagerduty_configs: [pagerdutyConfig(input, secrets.pagerdutyRoutingKey!)] });
  for (const team of input.alertRouting.teams) {
    list.push({ name: teamReceiver(team.name), ...slack(team.slackChannel), email_configs: [emailConfig(input, team.email)] });
  }
  return list;
}

function routes(input: AlertRoutingInput, pages: boolean): Route[] {
  const { critical, warning } = input.alertRouting.timing;
  const pager = pages ? [RECEIVER.pagerduty] : [];
  return [
    // Watchdog fires all the time to prove the pipeline works (a dead-man's switch watches for it), and
    // kube-prometheus-stack's InfoInhibitor only exists to inhibit; neither is for people.
    { matchers: ['alertname=~"Watchdog|InfoInhibitor"'], receiver: RECEIVER.null },
    // Info alerts are for dashboards, never for a person; before team routes so teams drop them too.
    { matchers: [eq("severity", "info")], receiver: RECEIVER.null },
    // A team's alerts go to the team; severity still decides timing and whether on-call is paged.
    ...input.alertRouting.teams.map(
      (team): Route => ({
        matchers: [eq("team", team.name)],
        receiver: teamReceiver(team.name),
        routes: [
          { matchers: [eq("severity", "critical")], ...timing(critical), ...fanOut([...pager, teamReceiver(team.name)]) },
          { matchers: [eq("severity", "warning")], ...timing(warning), receiver: teamReceiver(team.name) },
        ],
      }),
    ),
    { matchers: [eq("severity", "critical")], ...timing(critical), ...fanOut([...pager, RECEIVER.slack, RECEIVER.default]) },
    { matchers: [eq("severity", "warning")], ...timing(warning), ...fanOut([RECEIVER.slack, RECEIVER.default]) },
  ];
}

function inhibitRules(): InhibitRule[] {
  return [
    { source_matchers: [eq("severity", "critical")], target_matchers: ['severity=~"warning|info"'], equal: [...GROUP_BY] },
    // Without `alertname` in `equal`: a service that is down explains every other alert it raises. The
    // source must name its service: with the label missing, `equal` would match every service-less alert
    // of the namespace and a single down job would silence the whole namespace.
    {
      source_matchers: [eq("alertname", SERVICE_DOWN_ALERT), 'service=~".+"'],
      target_matchers: [`alertname!="${SERVICE_DOWN_ALERT}"`],
      equal: ["namespace", "service"],
    },
  ];
}

/**
 * Alertmanager's configuration for one stack: the platform team gets everything unowned (critical pages
 * on-call in production, Slack and mail; warning to Slack and mail; the rest to mail), teams get their own
 * alerts, info and Watchdog go nowhere. Staging has no PagerDuty receiver at all, even if a key is set.
 */
export function alertmanagerConfig(input: AlertRoutingInput, secrets: ReceiverSecrets): AlertmanagerConfig {
  const pages = pagesOnCall(input);
  if (pages && !secrets.pagerdutyRoutingKey) {
    throw new Error("pagerdutyRoutingKey: required when production pages (pagerdutyEnabled: true): pulumi config set --secret pagerdutyRoutingKey <value>");
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
    inhibit_rules: inhibitRules(),
  };
}
