import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { receiverNotifies, receiversFor } from "./alertmanager-routing";
import { labelsOf, objectKey, TYPES } from "./kubernetes";
import { record, str } from "./values";

/** The label the backup CronJob and the Alertmanager config Secret carry, so policies find them by role. */
export const COMPONENT_LABEL = "platform.io/component";
export const BACKUP_COMPONENT = "backup";
export const ALERTMANAGER_CONFIG_COMPONENT = "alertmanager-config";

function hasComponent(resource: PolicyResource, component: string): boolean {
  return labelsOf(resource.props)[COMPONENT_LABEL] === component;
}

function isKubePrometheusStack(resource: PolicyResource): boolean {
  return (resource.type === TYPES.helmRelease || resource.type === TYPES.helmChart) && str(resource.props.chart) === "kube-prometheus-stack";
}

/** kube-prometheus-stack values that route a plain critical alert to a receiver that notifies someone. */
function routesCriticalInChartValues(release: PolicyResource): boolean {
  const config = record(record(record(release.props.values).alertmanager).config);
  return receiversFor(config, { severity: "critical" }).some((name) => receiverNotifies(config, name));
}

/**
 * Whether the Secret the chart's Alertmanager reads its whole config from (alertmanagerSpec.configSecret) is one
 * this stack creates. Its content is a Pulumi secret (it holds the webhooks), so existence is what can be checked.
 */
function configSecretInStack(release: PolicyResource, secrets: readonly PolicyResource[]): boolean {
  const name = str(record(record(record(release.props.values).alertmanager).alertmanagerSpec).configSecret);
  const key = `${str(release.props.namespace) ?? "default"}/${name}`;
  return name !== undefined && secrets.some((s) => objectKey(s.props, s.name) === key);
}

/**
 * A stack that cannot restore data or cannot wake someone up is not production-ready, whatever else it runs.
 * Existence checks across the stack: an unsuspended CronJob labelled as the backup, and a place where
 * Alertmanager's config routes critical alerts (a config Secret the stack creates, or the chart's
 * alertmanager.config, whose routing is checked for a critical route to a notifier).
 * Advisory while the backup and alerting components are new; production's pack config can then make it mandatory (README).
 */
export const backupsAndCriticalAlerts: StackValidationPolicy = {
  name: "stack-backups-and-critical-alerts",
  description: "The stack runs a backup CronJob and routes critical alerts to a receiver.",
  enforcementLevel: "advisory",
  severity: "critical",
  validateStack: (args, reportViolation) => {
    const backups = args.resources.filter((r) => r.type === TYPES.cronJob && hasComponent(r, BACKUP_COMPONENT));
    if (!backups.some((b) => record(b.props.spec).suspend !== true)) {
      reportViolation(
        `the stack has no active backup CronJob; label the backup CronJob ${COMPONENT_LABEL}: ${BACKUP_COMPONENT} and do not suspend it`,
      );
    }
    const secrets = args.resources.filter((r) => r.type === TYPES.secret);
    const releases = args.resources.filter(isKubePrometheusStack);
    const routed =
      secrets.some((s) => hasComponent(s, ALERTMANAGER_CONFIG_COMPONENT)) ||
      releases.some((r) => configSecretInStack(r, secrets) || routesCriticalInChartValues(r));
    if (!routed) {
      reportViolation(
        `the stack routes critical alerts to no receiver; give Alertmanager a config Secret from this stack ` +
          `(kube-prometheus-stack's alertmanager.alertmanagerSpec.configSecret, or a Secret labelled ${COMPONENT_LABEL}: ${ALERTMANAGER_CONFIG_COMPONENT}), ` +
          `or route severity="critical" to a receiver with a notifier in the chart's alertmanager.config`,
      );
    }
  },
};
