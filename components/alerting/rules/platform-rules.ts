import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";
import { authRules } from "./auth";
import { availabilityRules } from "./availability";
import { backupRules } from "./backups";
import { blueGreenRules } from "./blue-green";
import { cacheRules } from "./cache";
import { connectorRules } from "./connectors";
import { controllerRules } from "./controllers";
import { databaseRules } from "./database";
import { fileUploadRules } from "./file-uploads";
import { httpRules } from "./http";
import { logRules } from "./logs";
import { nodeRules } from "./nodes";
import { pipelineRules } from "./pipelines";
import { prometheusRules } from "./prometheus";
import { rateLimitingRules } from "./rate-limiting";
import { httpRecordingRules } from "./recording";
import { runbookUrl } from "./runbook";
import { sloRuleGroups } from "./slo";
import { tracingRules } from "./tracing";
import { transformationRules } from "./transformations";
import {
  type AlertingRule,
  type AlertRulesContext,
  isAlertingRule,
  type PlatformAlert,
  type PlatformRule,
  type PlatformRuleGroup,
  type Rule,
  type RuleGroup,
  type RuleGroupBuilder,
} from "./types";
import { websocketRules } from "./websockets";
import { workloadRules } from "./workloads";

const ALERT_GROUPS: readonly RuleGroupBuilder[] = [
  httpRules,
  authRules,
  rateLimitingRules,
  databaseRules,
  pipelineRules,
  connectorRules,
  transformationRules,
  fileUploadRules,
  websocketRules,
  cacheRules,
  nodeRules,
  workloadRules,
  availabilityRules,
  prometheusRules,
  backupRules,
  blueGreenRules,
  tracingRules,
  logRules,
  controllerRules,
];

/**
 * Every rule group of the platform as the platform defines it (alerts with their identity and runbook):
 * the recording rules first, then one alert group per concern, then one group per app with SLOs. A stack
 * without backed-up databases has no backup group: its alerts would select nothing.
 */
export function platformRuleDefinitions(thresholds: AlertThresholds, context: AlertRulesContext): PlatformRuleGroup[] {
  const builders = ALERT_GROUPS.filter((build) => build !== backupRules || context.backupDatabases.length > 0);
  return [httpRecordingRules(), ...builders.map((build) => build(thresholds, context)), ...sloRuleGroups(thresholds, context)];
}

/** Every alert of the platform, in group order. */
export function platformAlerts(thresholds: AlertThresholds, context: AlertRulesContext): PlatformAlert[] {
  return platformRuleDefinitions(thresholds, context).flatMap((g) => g.rules.filter(isAlertingRule));
}

/** A rule as Prometheus reads it: an alert's runbook becomes its runbook_url under the stack's base URL. */
function prometheusRule(rule: PlatformRule, runbookBaseUrl: string): Rule {
  if (!isAlertingRule(rule)) return rule;
  const { identity, runbook, annotations, ...prometheus } = rule;
  const alerting: AlertingRule = { ...prometheus, annotations: { ...annotations, runbook_url: runbookUrl(runbookBaseUrl, runbook, rule.alert) } };
  return alerting;
}

/** Every rule group of the platform in Prometheus' rule-file format: what the PrometheusRule objects hold. */
export function platformRuleGroups(thresholds: AlertThresholds, context: AlertRulesContext): RuleGroup[] {
  return platformRuleDefinitions(thresholds, context).map((group) => ({ ...group, rules: group.rules.map((rule) => prometheusRule(rule, context.runbookBaseUrl)) }));
}
