import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSettings, DatabaseSettings } from "../../stacks/schema";
import { alloyNetworkPolicies } from "./alloy-network-policies";
import { BlackboxExporter } from "./blackbox-exporter";
import { helmChartArgs } from "./charts";
import { DataTierExporters } from "./data-tier-exporters";
import { pushgatewayValues } from "./exporters";
import { KubePrometheusStack } from "./kube-prometheus-stack";
import { Loki, type LokiArgs } from "./loki";
import { LogCollector } from "./log-collector";
import { monitoringUrls } from "./monitoring-input";
import { Tempo } from "./tempo";

export interface MonitoringStackArgs extends LokiArgs {
  /** How long Tempo keeps traces (whole days). */
  readonly traceRetention: string;
  /** Databases to run a postgres-exporter for (entries with `exporter: true`). */
  readonly databases: readonly DatabaseSettings[];
  readonly caches: readonly CacheSettings[];
  /** Redis AUTH passwords by the config key a cache's passwordConfigKey names. */
  readonly cacheSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /** Namespaces whose pods send spans to Alloy (the NetworkPolicies open that path, OTLP ports only). */
  readonly appNamespaces: readonly string[];
  /**
   * The image that carries the database servers' CA bundle (the backup image), for exporters of databases whose
   * sslMode verifies the server's certificate.
   * @default none: such a database is refused
   */
  readonly serverCaImage?: string;
}

/** The observability stack of one environment: metrics, alerting, dashboards, logs, traces and probes. */
export class MonitoringStack extends pulumi.ComponentResource {
  public readonly kubePrometheusStack: KubePrometheusStack;
  public readonly loki: Loki;
  public readonly tempo: Tempo;
  public readonly logCollector: LogCollector;
  public readonly blackboxExporter: BlackboxExporter;
  public readonly pushgateway: k8s.helm.v4.Chart;
  /** In-cluster URLs of Prometheus, Alertmanager, Loki, Tempo, the blackbox exporter and the Pushgateway. */
  public readonly urls: ReturnType<typeof monitoringUrls>;

  constructor(name: string, args: MonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:MonitoringStack", name, {}, opts);
    const child = { parent: this };
    this.kubePrometheusStack = new KubePrometheusStack(`${name}-kps`, args, child);
    this.loki = new Loki(`${name}-loki`, args, child);
    // The collector, Tempo and probes create ServiceMonitor/Probe objects whose CRDs come with kube-prometheus-stack.
    const afterCrds = { parent: this, dependsOn: [this.kubePrometheusStack] };
    this.tempo = new Tempo(`${name}-tempo`, args, afterCrds);
    this.logCollector = new LogCollector(`${name}-alloy`, args, { ...afterCrds, dependsOn: [this.kubePrometheusStack, this.loki, this.tempo] });
    this.blackboxExporter = new BlackboxExporter(`${name}-blackbox`, args, afterCrds);
    // helm.v4.Chart: one Deployment and its PVC, previewed object by object.
    this.pushgateway = new k8s.helm.v4.Chart(`${name}-pushgateway`, helmChartArgs("pushgateway", args.namespace, pushgatewayValues(args.storageClass)), afterCrds);
    const alloyPaths = alloyNetworkPolicies({
      environment: args.environment,
      clusterFlavour: args.clusterFlavour,
      monitoringNamespace: args.namespace,
      nodeAgentsNamespace: args.nodeAgentsNamespace,
      appNamespaces: args.appNamespaces,
    });
    for (const policy of alloyPaths.appEgress) new k8s.networking.v1.NetworkPolicy(`${name}-otlp-egress-${policy.metadata!.namespace}`, policy, child);
    for (const policy of [...alloyPaths.nodeAgents, ...alloyPaths.monitoring]) new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata!.name}`, policy, child);
    new DataTierExporters(`${name}-exporters`, { namespace: args.namespace, databases: args.databases.filter((db) => db.exporter), caches: args.caches, cacheSecrets: args.cacheSecrets, serverCaImage: args.serverCaImage }, afterCrds);
    this.urls = monitoringUrls(args.namespace);
    this.registerOutputs({ namespace: args.namespace, urls: this.urls });
  }
}
