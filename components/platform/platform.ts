import * as aws from "../core/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../stacks/platform-config";
import { AlertmanagerConfigSecret } from "../alerting/alertmanager";
import { AlertRules } from "../alerting/rules";
import { BlueGreenApp } from "../apps";
import { DatabaseBackups } from "../backups";
import { PlatformNamespace } from "../core";
import { PlatformDashboards } from "../dashboards";
import { DatabaseCredentials } from "../databases";
import { MonitoringStack } from "../monitoring";
import { CertManager } from "../certificates";
import { ExternalDns } from "../dns";
import { Gateway, PublicHostname, publicEndpoints } from "../gateway";
import { ExternalSecrets } from "../secrets";
import {
  alertmanagerConfigArgs,
  alertRulesArgs,
  blueGreenAppArgs,
  certManagerArgs,
  dashboardsArgs,
  databaseBackupsArgs,
  databaseCredentialsArgs,
  externalDnsArgs,
  externalSecretsArgs,
  gatewayArgs,
  publicHostnameArgs,
} from "./component-args";
import { appNamespaces, namespaceSpecs } from "./namespace-specs";
import { targetProviderSettings } from "./target";

/** The explicit providers every resource of the platform goes through (default providers are disabled). */
export interface PlatformProviders {
  readonly kubernetes: k8s.Provider;
  readonly aws: aws.Provider;
}

/**
 * The root of the program: every capability of the platform is a child of this component, so one
 * `pulumi preview` shows the whole tree and a test can build a stack from a PlatformConfig alone.
 */
export class Platform extends pulumi.ComponentResource {
  public readonly providers: PlatformProviders;
  public readonly namespaces: Readonly<Record<string, PlatformNamespace>>;
  public readonly monitoring: MonitoringStack;
  public readonly backups?: DatabaseBackups;
  public readonly alertRules: AlertRules;
  public readonly apps: Readonly<Record<string, BlueGreenApp>>;
  public readonly gateway: Gateway;
  public readonly certManager: CertManager;
  public readonly externalDns: ExternalDns;
  public readonly externalSecrets: ExternalSecrets;
  /** Generated role passwords by database entry, for the DBA to set on the roles. */
  public readonly databasePasswords: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, config: PlatformConfig, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Platform", name, {}, opts);
    const target = targetProviderSettings(config);
    this.providers = {
      kubernetes: new k8s.Provider(`${name}-cluster`, target.kubernetes, { parent: this }),
      aws: new aws.Provider(`${name}-account`, target.aws, { parent: this }),
    };
    // Every child gets both providers explicitly, the way pulumi-eks components take `providers`.
    const child = { parent: this, providers: { ...this.providers } };
    const namespaces: Record<string, PlatformNamespace> = {};
    for (const spec of namespaceSpecs(config)) {
      namespaces[spec.name] = new PlatformNamespace(`${name}-${spec.name}`, spec, child);
    }
    this.namespaces = namespaces;
    const generatedCredentials: Record<string, DatabaseCredentials> = {};
    for (const db of config.databases.filter((d) => d.password === "generated")) {
      const args = databaseCredentialsArgs(config, db);
      generatedCredentials[db.name] = new DatabaseCredentials(`${name}-db-${db.name}`, args, { ...child, dependsOn: args.namespaces.map((ns) => namespaces[ns]) });
    }
    const credentials = Object.values(generatedCredentials);
    const monitoringNamespace = namespaces[config.monitoringNamespace];
    const alertmanagerConfig = new AlertmanagerConfigSecret(`${name}-alertmanager-config`, alertmanagerConfigArgs(config), { ...child, dependsOn: [monitoringNamespace] });
    this.monitoring = new MonitoringStack(
      `${name}-monitoring`,
      {
        environment: config.environment,
        clusterFlavour: config.clusterFlavour,
        clusterName: config.clusterName,
        domain: config.domain,
        namespace: config.monitoringNamespace,
        nodeAgentsNamespace: config.nodeAgentsNamespace,
        storageClass: config.storageClass,
        metricsRetention: config.metricsRetention,
        logRetention: config.logRetention,
        traceRetention: config.traceRetention,
        monitoring: config.monitoring,
        awsRegion: config.awsRegion,
        oidcProviderArn: config.oidcProviderArn,
        databases: config.databases,
        serverCaImage: config.backupImage,
        caches: config.caches,
        cacheSecrets: config.cacheSecrets,
        appNamespaces: appNamespaces(config),
      },
      // The node agents' namespace holds node-exporter and Alloy; the app namespaces the OTLP egress NetworkPolicies.
      {
        ...child,
        dependsOn: [monitoringNamespace, namespaces[config.nodeAgentsNamespace], ...appNamespaces(config).map((ns) => namespaces[ns]), alertmanagerConfig, ...credentials],
      },
    );
    // The PrometheusRule CRD comes with kube-prometheus-stack, hence the dependency on the monitoring stack.
    this.alertRules = new AlertRules(`${name}-alert-rules`, alertRulesArgs(config), { ...child, dependsOn: [this.monitoring] });
    new PlatformDashboards(`${name}-dashboards`, dashboardsArgs(config), { ...child, dependsOn: [monitoringNamespace] });
    if (config.databases.some((db) => db.backup.enabled)) {
      // The off-site replica's region: the stack's account provider (same allowed account, same tags) in another region.
      const replicaRegion = config.backupReplicaRegion;
      const replica =
        replicaRegion === "" ? undefined : { region: replicaRegion, provider: new aws.Provider(`${name}-backup-replica`, { ...target.aws, region: replicaRegion }, { parent: this }) };
      this.backups = new DatabaseBackups(`${name}-backups`, databaseBackupsArgs(config, replica), { ...child, dependsOn: [namespaces[config.backupNamespace], ...credentials] });
    }
    // The way in: certificates, DNS, secrets from Secrets Manager, the Gateway and one route per public hostname.
    const certManager = certManagerArgs(config);
    this.certManager = new CertManager(`${name}-cert-manager`, certManager, { ...child, dependsOn: [namespaces[certManager.namespace], this.monitoring] });
    const externalDns = externalDnsArgs(config);
    this.externalDns = new ExternalDns(`${name}-external-dns`, externalDns, { ...child, dependsOn: [namespaces[externalDns.namespace], this.monitoring] });
    const externalSecrets = externalSecretsArgs(config);
    this.externalSecrets = new ExternalSecrets(`${name}-external-secrets`, externalSecrets, { ...child, dependsOn: [namespaces[externalSecrets.namespace], this.monitoring] });
    const endpoints = publicEndpoints(config);
    const gateway = gatewayArgs(config, endpoints);
    // After the monitoring stack: the controller's ServiceMonitor CRD comes with it.
    this.gateway = new Gateway(`${name}-gateway`, gateway, { ...child, dependsOn: [namespaces[gateway.namespace], this.monitoring] });
    const apps: Record<string, BlueGreenApp> = {};
    for (const app of config.apps) {
      // After the monitoring stack: the ServiceMonitor and Probe CRDs come with it, and the gate queries Prometheus.
      apps[app.name] = new BlueGreenApp(`${name}-app-${app.name}`, blueGreenAppArgs(config, app), {
        ...child,
        dependsOn: [namespaces[app.namespace], this.monitoring, this.externalSecrets],
      });
    }
    for (const endpoint of endpoints) {
      new PublicHostname(`${name}-public-${endpoint.key}`, publicHostnameArgs(config, endpoint), {
        ...child,
        dependsOn: [this.gateway, this.certManager, this.monitoring, namespaces[endpoint.namespace], ...(apps[endpoint.name] ? [apps[endpoint.name]] : [])],
      });
    }
    this.apps = apps;
    this.databasePasswords = Object.fromEntries(Object.entries(generatedCredentials).map(([db, c]) => [db, c.password]));
    this.registerOutputs({ namespaces: Object.keys(namespaces) });
  }
}

/** Builds the whole platform for one stack. */
export function buildPlatform(config: PlatformConfig): Platform {
  return new Platform("platform", config);
}
