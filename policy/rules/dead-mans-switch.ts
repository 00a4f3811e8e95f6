import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { deliveriesFor, durationSeconds, receiverNotifies } from "./alertmanager-routing";
import { objectKey, TYPES } from "./kubernetes";
import { isRecord, list, record, settings, str } from "./values";

/**
 * The annotation of the Alertmanager config Secret holding the configuration without its credentials
 * (components/alerting/alertmanager writes it): the payload is a Pulumi secret, the routing is not.
 */
export const ROUTING_ANNOTATION = "platform.io/alertmanager-routing";

export const WATCHDOG = "Watchdog";

/** Integrations that can reach a heartbeat service outside the cluster. */
const HEARTBEAT_INTEGRATIONS = ["webhook_configs", "pagerduty_configs", "opsgenie_configs"];

interface DeadMansSwitchSettings {
  /** Longest repeat_interval of the Watchdog's route: the heartbeat service's period must allow for it. */
  readonly maxHeartbeatInterval: string;
}

const DEFAULTS: DeadMansSwitchSettings = { maxHeartbeatInterval: "5m" };

function isKubePrometheusStack(resource: PolicyResource): boolean {
  return (resource.type === TYPES.helmRelease || resource.type === TYPES.helmChart) && str(resource.props.chart) === "kube-prometheus-stack";
}

/** Whether a PrometheusRule of the stack has an alert named Watchdog that always fires. */
function hasWatchdogRule(resources: readonly PolicyResource[]): boolean {
  return resources
    .filter((r) => str(r.props.kind) === "PrometheusRule")
    .flatMap((r) => list(record(r.props.spec).groups).filter(isRecord))
    .flatMap((g) => list(g.rules).filter(isRecord))
    .some((rule) => rule.alert === WATCHDOG && str(rule.expr)?.replace(/\s/g, "") === "vector(1)");
}

/** Whether kube-prometheus-stack's values keep the chart's own Watchdog (defaultRules, group general). */
function chartKeepsWatchdog(release: PolicyResource): boolean {
  const rules = record(record(release.props.values).defaultRules);
  return rules.create !== false && record(rules.rules).general !== false && record(rules.disabled)[WATCHDOG] !== true;
}

/**
 * The Alertmanager configuration the stack's kube-prometheus-stack runs, as far as the plan shows it: the
 * routing annotation of the Secret `alertmanagerSpec.configSecret` names, or the chart's `alertmanager.config`.
 */
function alertmanagerConfigs(release: PolicyResource, secrets: readonly PolicyResource[]): Record<string, unknown>[] {
  const alertmanager = record(record(release.props.values).alertmanager);
  const name = str(record(alertmanager.alertmanagerSpec).configSecret);
  if (name === undefined) return isRecord(alertmanager.config) ? [alertmanager.config] : [];
  const key = `${str(release.props.namespace) ?? "default"}/${name}`;
  return secrets
    .filter((s) => objectKey(s.props, s.name) === key)
    .flatMap((s) => {
      const routing = str(record(record(s.props.metadata).annotations)[ROUTING_ANNOTATION]);
      if (routing === undefined) return [];
      try {
        return [record(JSON.parse(routing))];
      } catch {
        return [];
      }
    });
}

/**
 * A dead man's switch: Prometheus fires an always-on Watchdog, and Alertmanager sends it to a heartbeat service
 * outside the cluster often enough that the service raises the alarm when it stops. Without one, a dead
 * Prometheus or Alertmanager is silence, and silence reads as "all is well". Mandatory in production.
 */
export const deadMansSwitch: StackValidationPolicy = {
  name: "stack-dead-mans-switch",
  description: "Prometheus fires an always-on Watchdog and Alertmanager sends it, often enough, to a heartbeat service outside the cluster.",
  enforcementLevel: "advisory",
  severity: "critical",
  configSchema: {
    properties: {
      maxHeartbeatInterval: {
        type: "string",
        default: DEFAULTS.maxHeartbeatInterval,
        description: "Longest repeat_interval of the Watchdog's route (an Alertmanager duration); the heartbeat service's period must be longer.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { maxHeartbeatInterval } = settings(args, DEFAULTS);
    const releases = args.resources.filter(isKubePrometheusStack);
    if (releases.length === 0) return;
    if (!hasWatchdogRule(args.resources) && !releases.some(chartKeepsWatchdog)) {
      reportViolation(
        `no always-firing ${WATCHDOG} alert: add a PrometheusRule alert ${WATCHDOG} with expr vector(1), or keep kube-prometheus-stack's defaultRules group general`,
      );
    }
    const secrets = args.resources.filter((r) => r.type === TYPES.secret);
    const configs = releases.flatMap((r) => alertmanagerConfigs(r, secrets));
    if (configs.length === 0) {
      reportViolation(
        `the stack's Alertmanager routing cannot be read: the Secret that kube-prometheus-stack's alertmanager.alertmanagerSpec.configSecret names must be created by this stack ` +
          `and carry the annotation ${ROUTING_ANNOTATION} (the configuration without credentials), or the chart's alertmanager.config must hold it`,
      );
      return;
    }
    const limit = durationSeconds(maxHeartbeatInterval) ?? Infinity;
    for (const config of configs) {
      const deliveries = deliveriesFor(config, { alertname: WATCHDOG, severity: "none" });
      const receivers = list(config.receivers).filter(isRecord);
      const external = deliveries.filter((d) =>
        receivers.some((r) => r.name === d.receiver && receiverNotifies(config, d.receiver) && HEARTBEAT_INTEGRATIONS.some((key) => list(r[key]).length > 0)),
      );
      if (external.length === 0) {
        const where = deliveries.map((d) => `"${d.receiver}"`).join(", ") || "no receiver";
        reportViolation(
          `${WATCHDOG} is routed to ${where}, which sends nothing outside the cluster; route alertname="${WATCHDOG}" to a heartbeat receiver ` +
            `(webhook_configs to the heartbeat service, heartbeatUrl) with repeat_interval at most ${maxHeartbeatInterval}`,
        );
        continue;
      }
      for (const d of external) {
        if ((durationSeconds(d.repeatInterval) ?? Infinity) > limit) {
          reportViolation(
            `${WATCHDOG} reaches "${d.receiver}" only every ${d.repeatInterval} (repeat_interval); the heartbeat service must hear from it at least every ${maxHeartbeatInterval}`,
          );
        }
      }
    }
  },
};
