import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PlatformDashboards as InternalPlatformDashboards } from "../components/dashboards/platform-dashboards";
import { AlertThresholdsSchema } from "../stacks/alert-thresholds-schema";
import { NamespaceSchema } from "../stacks/schema";
import type { AlertThresholds } from "./alert-thresholds";
import { parseArgs } from "./args-error";
import type { Environment } from "./types";

export interface PlatformDashboardsArgs {
  /** Environment of the stack: staging or production (the dashboards' tag and title). */
  environment: Environment;
  /** The alert thresholds (as AlertRules takes them): panels turn red where the matching alert fires. */
  alertThresholds: AlertThresholds;
  /** Namespace of the dashboards' ConfigMaps (Grafana's sidecar searches every namespace). Default: monitoring. */
  namespace?: string;
}

const PlatformDashboardsArgsSchema = z.strictObject({
  environment: z.enum(["staging", "production"]),
  alertThresholds: AlertThresholdsSchema,
  namespace: NamespaceSchema.shape.name.default("monitoring"),
});

/**
 * The platform's Grafana dashboards (system overview, applications, databases, caches, pipelines, alerts,
 * and more), as ConfigMaps labelled for kube-prometheus-stack's Grafana sidecar.
 */
export class PlatformDashboards extends pulumi.ComponentResource {
  /** Names of the dashboards' ConfigMaps. */
  public readonly configMapNames: pulumi.Output<string[]>;

  constructor(name: string, args: PlatformDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
    const a = parseArgs("PlatformDashboards", name, PlatformDashboardsArgsSchema, args);
    super("platform:index:PlatformDashboards", name, {}, opts);
    const dashboards = new InternalPlatformDashboards(name, a, { parent: this });
    this.configMapNames = pulumi.output(dashboards.configMaps.map((c) => c.metadata.name));
    this.registerOutputs({ configMapNames: this.configMapNames });
  }
}
