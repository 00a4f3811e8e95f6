import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alloyValues } from "./alloy-config";
import { helmChartArgs } from "./charts";
import { type MonitoringInput, nodeAgentUrls } from "./monitoring-input";

export type LogCollectorArgs = MonitoringInput;

/**
 * Grafana Alloy as a DaemonSet shipping every node's pod logs to Loki, and the apps' spans to Tempo. It runs
 * in the node agents' namespace (it mounts the node's /var/log), not next to Loki and Tempo in the monitoring
 * namespace, which therefore admits no host access.
 * helm.v4.Chart: a stateless DaemonSet with no hooks or CRDs, so Pulumi can own its objects directly and
 * `pulumi preview` shows each of them, including the pipeline ConfigMap, with a property-level diff.
 */
export class LogCollector extends pulumi.ComponentResource {
  public readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: LogCollectorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:LogCollector", name, {}, opts);
    this.chart = new k8s.helm.v4.Chart(
      `${name}-chart`,
      helmChartArgs("alloy", args.nodeAgentsNamespace, alloyValues(args)),
      { parent: this },
    );
    // Where the apps send their spans (OTEL_EXPORTER_OTLP_ENDPOINT).
    this.registerOutputs({ otlp: nodeAgentUrls(args.nodeAgentsNamespace) });
  }
}
