import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../stacks/platform-config";
import { PlatformNamespace } from "../core";
import { MonitoringStack } from "../monitoring";
import { namespaceSpecs } from "./namespace-specs";

/**
 * The root of the program: every capability of the platform is a child of this component, so one
 * `pulumi preview` shows the whole tree and a test can build a stack from a PlatformConfig alone.
 */
export class Platform extends pulumi.ComponentResource {
  public readonly namespaces: Readonly<Record<string, PlatformNamespace>>;
  public readonly monitoring: MonitoringStack;

  constructor(name: string, config: PlatformConfig, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Platform", name, {}, opts);
    const namespaces: Record<string, PlatformNamespace> = {};
    for (const spec of namespaceSpecs(config)) {
      namespaces[spec.name] = new PlatformNamespace(`${name}-${spec.name}`, spec, { parent: this });
    }
    this.namespaces = namespaces;
    this.monitoring = new MonitoringStack(
      `${name}-monitoring`,
      {
        environment: config.environment,
        clusterName: config.clusterName,
        domain: config.domain,
        namespace: config.monitoringNamespace,
        storageClass: config.storageClass,
        metricsRetention: config.metricsRetention,
        logRetention: config.logRetention,
        monitoring: config.monitoring,
        awsRegion: config.awsRegion,
        oidcProviderArn: config.oidcProviderArn,
      },
      { parent: this, dependsOn: [namespaces[config.monitoringNamespace]] },
    );
    this.registerOutputs({ namespaces: Object.keys(namespaces) });
  }
}

/** Builds the whole platform for one stack. */
export function buildPlatform(config: PlatformConfig): Platform {
  return new Platform("platform", config);
}
