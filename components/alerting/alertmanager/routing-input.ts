import type { AlertRoutingSettings } from "../../../stacks/alert-routing-schema";

/** The part of PlatformConfig the Alertmanager configuration is built from (components/platform alertRoutingInput picks it). */
export interface AlertRoutingInput {
  readonly environment: "staging" | "production";
  /** Named in every notification, so a message says which cluster it is about. */
  readonly clusterName: string;
  /** The platform team's channel: critical and warning alerts that no team owns. */
  readonly slackChannel: string;
  /** The platform team's mailbox: the root receiver, so no alert is ever dropped unrouted. */
  readonly alertEmailTo: string;
  readonly alertEmailFrom: string;
  /** host:port of the SMTP relay (STARTTLS). */
  readonly smtpSmarthost: string;
  /** Ignored in staging: staging never pages. */
  readonly pagerdutyEnabled: boolean;
  readonly alertRouting: AlertRoutingSettings;
}

/**
 * Receiver credentials as plain strings. The component resolves them from Pulumi secret Outputs inside an
 * apply, so they only ever exist in the rendered alertmanager.yaml, which lives in a Kubernetes Secret.
 */
export interface ReceiverSecrets {
  /** Incoming-webhook URL; without it no Slack notification is sent (allowed in staging only). */
  readonly slackWebhookUrl?: string;
  /** Password of alertEmailFrom at the SMTP relay; without it mail is sent unauthenticated. */
  readonly smtpPassword?: string;
  /** PagerDuty Events API v2 key; required when production pages, never used in staging. */
  readonly pagerdutyRoutingKey?: string;
  /** The dead man's switch: URL the Watchdog alert is posted to; required in production. */
  readonly heartbeatUrl?: string;
}

/** The credentials of ReceiverSecrets: the only secrets of the stack the Alertmanager configuration receives. */
export const RECEIVER_SECRET_KEYS = ["slackWebhookUrl", "smtpPassword", "pagerdutyRoutingKey", "heartbeatUrl"] as const satisfies readonly (keyof ReceiverSecrets)[];

/** Receiver names: the words `amtool config routes test` prints and the tests assert. */
export const RECEIVER = {
  /** The platform team's mailbox (alertEmailTo), root of the routing tree. */
  default: "default",
  /** Blackhole for InfoInhibitor and info alerts. */
  null: "null",
  /** The external heartbeat service (heartbeatUrl) that raises the alarm when Watchdog stops arriving. */
  heartbeat: "heartbeat",
  /** The platform team's Slack channel. */
  slack: "slack",
  /** On-call paging; exists only in production with pagerdutyEnabled. */
  pagerduty: "pagerduty",
} as const;

/** Receiver of a team from alertRouting.teams: its Slack channel and mailbox. */
export function teamReceiver(team: string): string {
  return `${team}-team`;
}

/** Whether critical alerts page. Staging never pages, whatever the stack file says. */
export function pagesOnCall(input: Pick<AlertRoutingInput, "environment" | "pagerdutyEnabled">): boolean {
  return input.environment === "production" && input.pagerdutyEnabled;
}
