import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertIdentity } from "./alertmanager-config";
import { alertmanagerConfigSecretManifest, alertmanagerConfigYaml, redactedRouting } from "./config-secret";
import type { AlertRoutingInput } from "./routing-input";

export interface AlertmanagerConfigSecretArgs {
  /** Namespace Alertmanager runs in (the monitoring namespace); the operator reads its config Secret only there. */
  readonly namespace: string;
  /** The routing settings alone (alertRoutingInput in components/platform picks them from PlatformConfig). */
  readonly routing: AlertRoutingInput;
  /** The platform's alert rules (platformAlerts): their identities scope the inhibit rules. */
  readonly alerts: readonly AlertIdentity[];
  /** The receivers' credentials as Pulumi secrets, and no other secret (receiverSecrets); a missing one disables its integration. */
  readonly secrets: {
    /**
     * Slack incoming-webhook URL.
     * @default unset: no Slack notification is sent (staging only: the config requires it in production)
     */
    readonly slackWebhookUrl?: pulumi.Input<string>;
    /**
     * Password of alertEmailFrom at the SMTP relay.
     * @default unset: mail is sent unauthenticated (staging only: the config requires it in production)
     */
    readonly smtpPassword?: pulumi.Input<string>;
    /**
     * PagerDuty Events API v2 routing key.
     * @default unset: nothing pages (the config requires it with pagerdutyEnabled)
     */
    readonly pagerdutyRoutingKey?: pulumi.Input<string>;
    /**
     * URL the Watchdog heartbeat is posted to.
     * @default unset: no heartbeat receiver (staging only: the config requires it in production)
     */
    readonly heartbeatUrl?: pulumi.Input<string>;
  };
}

/**
 * Alertmanager's configuration, rendered from the stack's routing settings and receiver credentials into the
 * Secret kube-prometheus-stack's Alertmanager mounts (see alertmanagerConfigSecretValues). The credentials are
 * resolved only inside an apply and the result is marked secret, so they never reach Helm values or state in
 * plain text. The same configuration without credentials is the Secret's routing annotation.
 */
export class AlertmanagerConfigSecret extends pulumi.ComponentResource {
  public readonly secret: k8s.core.v1.Secret;
  /** Name of the Secret, resolved once it exists: the value of alertmanagerSpec.configSecret. */
  public readonly secretName: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerConfigSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:alerting:AlertmanagerConfigSecret", name, {}, opts);
    const { slackWebhookUrl, smtpPassword, pagerdutyRoutingKey, heartbeatUrl } = args.secrets;
    const configYaml = pulumi.secret(
      pulumi
        .all([slackWebhookUrl, smtpPassword, pagerdutyRoutingKey, heartbeatUrl])
        .apply(([slack, smtp, pagerduty, heartbeat]) =>
          alertmanagerConfigYaml(args.routing, { slackWebhookUrl: slack, smtpPassword: smtp, pagerdutyRoutingKey: pagerduty, heartbeatUrl: heartbeat }, args.alerts),
        ),
    );
    const present = {
      slackWebhookUrl: slackWebhookUrl !== undefined,
      smtpPassword: smtpPassword !== undefined,
      pagerdutyRoutingKey: pagerdutyRoutingKey !== undefined,
      heartbeatUrl: heartbeatUrl !== undefined,
    };
    const manifest = alertmanagerConfigSecretManifest(args.namespace, args.routing.environment, configYaml, redactedRouting(args.routing, present, args.alerts));
    this.secret = new k8s.core.v1.Secret(`${name}-secret`, manifest, { parent: this });
    this.secretName = this.secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName });
  }
}
