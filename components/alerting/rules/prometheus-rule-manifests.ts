import { LABEL } from "../../core/labels";
import { PROMETHEUS_SELECTOR_LABELS } from "../../core/prometheus-selector";
import type { RuleGroup } from "./types";

/** A prometheus-operator PrometheusRule, as plain data. */
export interface PrometheusRuleManifest {
  readonly apiVersion: "monitoring.coreos.com/v1";
  readonly kind: "PrometheusRule";
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Readonly<Record<string, string>> };
  readonly spec: { readonly groups: readonly RuleGroup[] };
}

/**
 * One PrometheusRule per group, named after it: a change to one concern's rules is a diff of one
 * object, and the operator reloads only what changed. The selector labels make the platform's
 * Prometheus pick them up (its ruleSelector matches exactly these).
 */
export function prometheusRuleManifests(groups: readonly RuleGroup[], namespace: string): PrometheusRuleManifest[] {
  return groups.map((group) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: group.name,
      namespace,
      labels: { ...PROMETHEUS_SELECTOR_LABELS, [LABEL.managedBy]: "pulumi", [LABEL.partOf]: "platform" },
    },
    spec: { groups: [group] },
  }));
}
