/**
 * The subset of Alertmanager's configuration file (alertmanager.yaml) the platform writes, with
 * Alertmanager's own key names, so a misspelt key is a compile error rather than a config Alertmanager rejects.
 * Only receiver types that amtool 0.25 (Debian's, used in CI) and Alertmanager 0.34 (the chart's) both know.
 */

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: Route;
  receivers: Receiver[];
  inhibit_rules: InhibitRule[];
}

export interface GlobalConfig {
  resolve_timeout: string;
  smtp_smarthost: string;
  smtp_from: string;
  smtp_require_tls: boolean;
  smtp_auth_username?: string;
  smtp_auth_password?: string;
  slack_api_url?: string;
}

/** One node of the routing tree. Matchers use Alertmanager's `label="value"` syntax, never the deprecated `match`. */
export interface Route {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  routes?: Route[];
}

export interface Receiver {
  name: string;
  slack_configs?: SlackConfig[];
  email_configs?: EmailConfig[];
  pagerduty_configs?: PagerdutyConfig[];
  webhook_configs?: WebhookConfig[];
}

export interface SlackConfig {
  send_resolved: boolean;
  channel: string;
  title: string;
  text: string;
  /** Per-receiver webhook; when absent the global slack_api_url applies. */
  api_url?: string;
}

export interface EmailConfig {
  send_resolved: boolean;
  to: string;
  headers?: Record<string, string>;
}

export interface PagerdutyConfig {
  send_resolved: boolean;
  /** Events API v2 integration key. */
  routing_key: string;
  description: string;
  severity: string;
  client: string;
  details: Record<string, string>;
}

/** A generic webhook: Alertmanager POSTs its JSON notification (version 4) to the URL. */
export interface WebhookConfig {
  send_resolved: boolean;
  url: string;
}

export interface InhibitRule {
  source_matchers: string[];
  target_matchers: string[];
  equal: string[];
}
