import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { dashboardConfigMaps } from "./config-maps";
import { dashboards } from "./dashboards";

export interface PlatformDashboardsArgs {
  /** Namespace of the ConfigMaps; the sidecar searches every namespace, so the monitoring one keeps them together. */
  readonly namespace: string;
  readonly environment: "staging" | "production";
  /** The stack's alert thresholds; panels turn red where the matching alert fires. */
  readonly alertThresholds: AlertThresholds;
}

/** The platform's Grafana dashboards, as ConfigMaps kube-prometheus-stack's Grafana sidecar loads. */
export class PlatformDashboards extends pulumi.ComponentResource {
  public readonly configMaps: readonly k8s.core.v1.ConfigMap[];

  constructor(name: string, args: PlatformDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:dashboards:PlatformDashboards", name, {}, opts);
    this.configMaps = dashboardConfigMaps(dashboards(args.alertThresholds), args.namespace, args.environment).map(
      (configMap) => new k8s.core.v1.ConfigMap(`${name}-${configMap.metadata!.name}`, configMap, { parent: this }),
    );
    this.registerOutputs({ configMaps: this.configMaps.map((c) => c.metadata.name) });
  }
}
