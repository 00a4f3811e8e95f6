import type { PlatformConfig } from "../../stacks/platform-config";
import { type AppSettings, configSecretEnv } from "../../stacks/apps-schema";
import type { DatabaseSettings, StackSettings } from "../../stacks/schema";
import type { StackTelemetry } from "../apps/app-spec";
import type { AlertmanagerConfigSecretArgs } from "../alerting/alertmanager/alertmanager-config-secret";
import { type AlertRoutingInput, RECEIVER_SECRET_KEYS } from "../alerting/alertmanager/routing-input";
import type { AlertRulesArgs } from "../alerting/rules/alert-rules";
import { platformAlerts } from "../alerting/rules/platform-rules";
import type { BlueGreenAppArgs } from "../apps/blue-green-app";
import type { PlatformDashboardsArgs } from "../dashboards/platform-dashboards";
import { credentialNamespaces } from "../databases/credentials";
import type { DatabaseCredentialsArgs } from "../databases/database-credentials";
import type { DatabaseBackupsArgs } from "../backups/database-backups";
import type { CertManagerArgs } from "../certificates/cert-manager";
import type { ExternalDnsArgs } from "../dns/external-dns";
import type { GatewayArgs } from "../gateway/gateway";
import type { PublicEndpoint } from "../gateway/public-endpoints";
import type { PublicHostnameArgs } from "../gateway/public-hostname";
import { monitoringUrls } from "../monitoring/monitoring-input";
import type { ExternalSecretsArgs } from "../secrets/external-secrets";
import { alertRulesContext } from "./alert-rules-context";
import { appNamespaces } from "./namespace-specs";

/**
 * The arguments of the platform's components, each taken from the one validated PlatformConfig in one place,
 * so the program's root (platform.ts) and any other composition of the same components (the engine tests'
 * Kubernetes part) wire them identically.
 */

export function databaseCredentialsArgs(config: PlatformConfig, db: DatabaseSettings): DatabaseCredentialsArgs {
  return {
    database: db.name,
    user: db.user,
    namespaces: credentialNamespaces(db, config.monitoringNamespace, config.backupNamespace),
    environment: config.environment,
  };
}

/** The routing settings, copied key by key: nothing else of PlatformConfig (none of its secrets) travels along. */
export function alertRoutingInput(config: AlertRoutingInput): AlertRoutingInput {
  return {
    environment: config.environment,
    clusterName: config.clusterName,
    slackChannel: config.slackChannel,
    alertEmailTo: config.alertEmailTo,
    alertEmailFrom: config.alertEmailFrom,
    smtpSmarthost: config.smtpSmarthost,
    pagerdutyEnabled: config.pagerdutyEnabled,
    alertRouting: config.alertRouting,
  };
}

/** The receivers' credentials the stack sets, and no other secret of the stack. */
export function receiverSecrets(secrets: PlatformConfig["secrets"]): AlertmanagerConfigSecretArgs["secrets"] {
  return Object.fromEntries(RECEIVER_SECRET_KEYS.flatMap((key) => (secrets[key] === undefined ? [] : [[key, secrets[key]]])));
}

export function alertmanagerConfigArgs(config: PlatformConfig): AlertmanagerConfigSecretArgs {
  return {
    namespace: config.monitoringNamespace,
    routing: alertRoutingInput(config),
    alerts: platformAlerts(config.alertThresholds, alertRulesContext(config)),
    secrets: receiverSecrets(config.secrets),
  };
}

export function alertRulesArgs(config: PlatformConfig): AlertRulesArgs {
  return { ...alertRulesContext(config), namespace: config.monitoringNamespace, thresholds: config.alertThresholds };
}

export function dashboardsArgs(config: PlatformConfig): PlatformDashboardsArgs {
  return { namespace: config.monitoringNamespace, environment: config.environment, alertThresholds: config.alertThresholds };
}

/** The stack-wide defaults of every app's telemetry environment. */
export function stackTelemetry(settings: Pick<StackSettings, "logLevel" | "traceSamplingPercent" | "nodeAgentsNamespace">): StackTelemetry {
  return { logLevel: settings.logLevel, traceSamplingPercent: settings.traceSamplingPercent, nodeAgentsNamespace: settings.nodeAgentsNamespace };
}

/**
 * The secrets an app's secretEnv names, by config key, and no other secret of the stack. A named key the stack
 * does not set is passed as undefined, so BlueGreenApp fails with the key and the command that sets it.
 */
export function appNamedSecrets(config: Pick<PlatformConfig, "secrets" | "appSecrets">, app: AppSettings): BlueGreenAppArgs["secrets"] {
  const stackSecrets: Readonly<Record<string, BlueGreenAppArgs["secrets"][string]>> = { ...config.secrets, ...config.appSecrets };
  return Object.fromEntries([...new Set(Object.values(configSecretEnv(app)))].map((key) => [key, stackSecrets[key]]));
}

export function blueGreenAppArgs(config: PlatformConfig, app: AppSettings): BlueGreenAppArgs {
  return {
    app,
    environment: config.environment,
    monitoringNamespace: config.monitoringNamespace,
    telemetry: stackTelemetry(config),
    secrets: appNamedSecrets(config, app),
  };
}

/** The backups of the databases with `backup.enabled`, with the off-site replica (region and provider) if any. */
export function databaseBackupsArgs(config: PlatformConfig, replica: DatabaseBackupsArgs["replica"]): DatabaseBackupsArgs {
  return {
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
    databases: config.databases.filter((db) => db.backup.enabled),
  };
}

// The way in: each controller in its platform system namespace (stacks/schema.ts), the certificates in the Gateway's.
export function certManagerArgs(config: PlatformConfig): CertManagerArgs {
  return {
    environment: config.environment,
    namespace: "cert-manager",
    domain: config.domain,
    hostedZoneId: config.hostedZoneId,
    awsRegion: config.awsRegion,
    oidcProviderArn: config.oidcProviderArn,
    issuer: config.certificateIssuer,
    acmeEmail: config.acmeEmail,
  };
}

export function externalDnsArgs(config: PlatformConfig): ExternalDnsArgs {
  return {
    environment: config.environment,
    namespace: "external-dns",
    domain: config.domain,
    hostedZoneId: config.hostedZoneId,
    awsRegion: config.awsRegion,
    gatewayNamespace: "gateway",
    ownerId: `platform-${config.clusterName}`,
    oidcProviderArn: config.oidcProviderArn,
  };
}

export function externalSecretsArgs(config: PlatformConfig): ExternalSecretsArgs {
  return {
    environment: config.environment,
    namespace: "external-secrets",
    awsRegion: config.awsRegion,
    awsAccountId: config.awsAccountId,
    oidcProviderArn: config.oidcProviderArn,
    secretsManagerPrefix: config.secretsManagerPrefix,
    appNamespaces: appNamespaces(config),
  };
}

/** `endpoints`: the stack's public endpoints (publicEndpoints), one HTTPS listener each. */
export function gatewayArgs(config: Pick<PlatformConfig, "environment" | "gateway">, endpoints: readonly PublicEndpoint[]): GatewayArgs {
  return { environment: config.environment, namespace: "gateway", replicas: config.gateway.replicas, resources: config.gateway.resources, endpoints };
}

export function publicHostnameArgs(config: PlatformConfig, endpoint: PublicEndpoint): PublicHostnameArgs {
  return {
    endpoint,
    environment: config.environment,
    gatewayNamespace: "gateway",
    issuer: config.certificateIssuer,
    monitoringNamespace: config.monitoringNamespace,
  };
}
