import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { blackboxValues, probeManifest, type ProbeTarget } from "./blackbox";
import { helmChartArgs } from "./charts";
import { type MonitoringInput, monitoringUrls } from "./monitoring-input";

export type BlackboxExporterArgs = MonitoringInput;

/**
 * prometheus-blackbox-exporter with the platform's probe modules.
 * helm.v4.Chart: stateless, no hooks, so its objects are visible and diffable in preview.
 */
export class BlackboxExporter extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:BlackboxExporter", name, {}, opts);
    this.chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      helmChartArgs("blackboxExporter", args.namespace, blackboxValues(args)),
      { parent: this },
    );
    // The prober address every Probe object names.
    this.registerOutputs({ prober: monitoringUrls(args.namespace).blackboxExporter });
  }
}

export interface BlackboxProbeArgs extends ProbeTarget {
  readonly monitoringNamespace: string;
}

/** How other components (apps, backups) register blackbox targets: one Probe object Prometheus selects. */
export class BlackboxProbe extends pulumi.ComponentResource {
  public readonly probe: k8s.apiextensions.CustomResource;

  constructor(name: string, args: BlackboxProbeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:BlackboxProbe", name, {}, opts);
    this.probe = new k8s.apiextensions.CustomResource(`${name}-probe`, probeManifest(args, args.monitoringNamespace), { parent: this });
    this.registerOutputs({ probe: this.probe.metadata.name });
  }
}
