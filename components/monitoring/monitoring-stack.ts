import * as pulumi from "@pulumi/pulumi";
import { BlackboxExporter } from "./blackbox-exporter";
import { KubePrometheusStack } from "./kube-prometheus-stack";
import { Loki, type LokiArgs } from "./loki";
import { LogCollector } from "./log-collector";

export type MonitoringStackArgs = LokiArgs;

/** The observability stack of one environment: metrics, alerting, dashboards, logs and probes. */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly kubePrometheusStack: KubePrometheusStack;
  public readonly loki: Loki;
  public readonly logCollector: LogCollector;
  public readonly blackboxExporter: BlackboxExporter;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:MonitoringStack", name, {}, opts);
    const child = { parent: this };
    this.kubePrometheusStack = new KubePrometheusStack(`${name}-kps`, args, child);
    this.loki = new Loki(`${name}-loki`, args, child);
    // The collector and probes create ServiceMonitor/Probe objects whose CRDs come with kube-prometheus-stack.
    const afterCrds = { parent: this, dependsOn: [this.kubePrometheusStack] };
    this.logCollector = new LogCollector(`${name}-alloy`, args, { ...afterCrds, dependsOn: [this.kubePrometheusStack, this.loki] });
    this.blackboxExporter = new BlackboxExporter(`${name}-blackbox`, args, afterCrds);
    this.registerOutputs({});
  }
}
