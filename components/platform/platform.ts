import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../stacks/platform-config";
import { AlertmanagerConfigSecret } from "../alerting/alertmanager";
import { AlertRules } from "../alerting/rules";
import { BlueGreenApp } from "../apps";
import { BACKUP_CRONJOB_PREFIX, DatabaseBackups } from "../backups";
import { PlatformNamespace } from "../core";
import { PlatformDashboards } from "../dashboards";
import { credentialNamespaces, DatabaseCredentials } from "../databases";
import { MonitoringStack, monitoringUrls } from "../monitoring";
import { appNamespaces, namespaceSpecs } from "./namespace-specs";

/**
 * The root of the program: every capability of the platform is a child of this component, so one
 * `pulumi preview` shows the whole tree and a test can build a stack from a PlatformConfig alone.
 */
export class Platform extends pulumi.ComponentResource {
  public readonly namespaces: Readonly<Record<string, PlatformNamespace>>;
  public readonly monitoring: MonitoringStack;
  public readonly backups?: DatabaseBackups;
  public readonly alertRules: AlertRules;
  public readonly apps: Readonly<Record<string, BlueGreenApp>>;
  /** Generated role passwords by database entry, for the DBA to set on the roles. */
  public readonly databasePasswords: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, config: PlatformConfig, opts?: pulumi.ComponentResourceOptions) {
    super("platform:index:Platform", name, {}, opts);
    const namespaces: Record<string, PlatformNamespace> = {};
    for (const spec of namespaceSpecs(config)) {
      namespaces[spec.name] = new PlatformNamespace(`${name}-${spec.name}`, spec, { parent: this });
    }
    this.namespaces = namespaces;
    const generatedCredentials: Record<string, DatabaseCredentials> = {};
    for (const db of config.databases.filter((d) => d.password === "generated")) {
      const inNamespaces = credentialNamespaces(db, config.monitoringNamespace, config.backupNamespace);
      generatedCredentials[db.name] = new DatabaseCredentials(
        `${name}-db-${db.name}`,
        { database: db.name, user: db.user, namespaces: inNamespaces, environment: config.environment },
        { parent: this, dependsOn: inNamespaces.map((ns) => namespaces[ns]) },
      );
    }
    const credentials = Object.values(generatedCredentials);
    const monitoringNamespace = namespaces[config.monitoringNamespace];
    const alertmanagerConfig = new AlertmanagerConfigSecret(
      `${name}-alertmanager-config`,
      { namespace: config.monitoringNamespace, routing: config, secrets: config.secrets },
      { parent: this, dependsOn: [monitoringNamespace] },
    );
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
        databases: config.databases,
        caches: config.caches,
      },
      { parent: this, dependsOn: [monitoringNamespace, alertmanagerConfig, ...credentials] },
    );
    // The PrometheusRule CRD comes with kube-prometheus-stack, hence the dependency on the monitoring stack.
    this.alertRules = new AlertRules(
      `${name}-alert-rules`,
      {
        namespace: config.monitoringNamespace,
        thresholds: config.alertThresholds,
        appNamespaces: appNamespaces(config),
        backupNamespace: config.backupNamespace,
        backupCronJobPattern: `${BACKUP_CRONJOB_PREFIX}.+`,
        recoveryTimeObjective: config.recoveryTimeObjective,
      },
      { parent: this, dependsOn: [this.monitoring] },
    );
    new PlatformDashboards(
      `${name}-dashboards`,
      { namespace: config.monitoringNamespace, environment: config.environment, alertThresholds: config.alertThresholds },
      { parent: this, dependsOn: [monitoringNamespace] },
    );
    const backedUp = config.databases.filter((db) => db.backup.enabled);
    if (backedUp.length > 0) {
      // The off-site replica's region; the lead's explicit account provider will carry allowedAccountIds here too.
      const replicaRegion = config.backupReplicaRegion;
      const replica = replicaRegion === "" ? undefined : { region: replicaRegion, provider: new aws.Provider(`${name}-backup-replica`, { region: replicaRegion }, { parent: this }) };
      this.backups = new DatabaseBackups(
        `${name}-backups`,
        {
          stack: config.stack,
          environment: config.environment,
          region: config.awsRegion,
          namespace: config.backupNamespace,
          retention: config.backupRetention,
          keepLast: config.backupKeepLast,
          recoveryTimeObjective: config.recoveryTimeObjective,
          storageClass: config.storageClass,
          replica,
          schedule: config.backupSchedule,
          drillSchedule: config.restoreDrillSchedule,
          image: config.backupImage,
          oidcProviderArn: config.oidcProviderArn,
          pushgatewayUrl: monitoringUrls(config.monitoringNamespace).pushgateway,
          monitoringNamespace: config.monitoringNamespace,
          databases: backedUp,
        },
        { parent: this, dependsOn: [namespaces[config.backupNamespace], ...credentials] },
      );
    }
    const apps: Record<string, BlueGreenApp> = {};
    for (const app of config.apps) {
      // After the monitoring stack: the ServiceMonitor and Probe CRDs come with it, and the gate queries Prometheus.
      apps[app.name] = new BlueGreenApp(
        `${name}-app-${app.name}`,
        { app, environment: config.environment, monitoringNamespace: config.monitoringNamespace, secrets: { ...config.secrets, ...config.appSecrets } },
        { parent: this, dependsOn: [namespaces[app.namespace], this.monitoring] },
      );
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
