import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertThresholds } from "../../../stacks/alert-thresholds-schema";
import { platformRuleGroups } from "./platform-rules";
import { prometheusRuleManifests } from "./prometheus-rule-manifests";
import type { AlertRulesContext } from "./types";

export interface AlertRulesArgs extends AlertRulesContext {
  /** Namespace of the PrometheusRule objects; Prometheus selects rules in every namespace, so the monitoring namespace keeps them together. */
  readonly namespace: string;
  /** The stack's `platform:alertThresholds`. */
  readonly thresholds: AlertThresholds;
}

/**
 * The platform's recording and alerting rules as PrometheusRule objects. Their CRD comes with
 * kube-prometheus-stack, so the parent must depend on that release.
 */
export class AlertRules extends pulumi.ComponentResource {
  /** PrometheusRule objects keyed by rule group name. */
  public readonly rules: Readonly<Record<string, k8s.apiextensions.CustomResource>>;

  constructor(name: string, args: AlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:alerting:AlertRules", name, {}, opts);
    const manifests = prometheusRuleManifests(platformRuleGroups(args.thresholds, args), args.namespace);
    const rules: Record<string, k8s.apiextensions.CustomResource> = {};
    for (const manifest of manifests) {
      rules[manifest.metadata.name] = new k8s.apiextensions.CustomResource(`${name}-${manifest.metadata.name}`, manifest, { parent: this });
    }
    this.rules = rules;
    this.registerOutputs({ ruleGroups: Object.keys(rules) });
  }
}
