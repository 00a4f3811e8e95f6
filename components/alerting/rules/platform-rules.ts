import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";
import { authRules } from "./auth";
import { availabilityRules } from "./availability";
import { backupRules } from "./backups";
import { blueGreenRules } from "./blue-green";
import { cacheRules } from "./cache";
import { connectorRules } from "./connectors";
import { databaseRules } from "./database";
import { fileUploadRules } from "./file-uploads";
import { httpRules } from "./http";
import { nodeRules } from "./nodes";
import { pipelineRules } from "./pipelines";
import { prometheusRules } from "./prometheus";
import { rateLimitingRules } from "./rate-limiting";
import { httpRecordingRules } from "./recording";
import { tracingRules } from "./tracing";
import { transformationRules } from "./transformations";
import type { AlertRulesContext, RuleGroup, RuleGroupBuilder } from "./types";
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
];

/** Every rule group of the platform: the recording rules first, then one alert group per concern. */
export function platformRuleGroups(thresholds: AlertThresholds, context: AlertRulesContext): RuleGroup[] {
  return [httpRecordingRules(), ...ALERT_GROUPS.map((build) => build(thresholds, context))];
}
