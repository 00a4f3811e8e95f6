import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseSettings } from "../../stacks/schema";
import { commonLabels } from "../core/labels";
import { databasePasswordSecret } from "../databases/credentials";
import { BackupBucket } from "./backup-bucket";
import { backupPrefix } from "./backup-policies";
import { PostgresBackup } from "./postgres-backup";
import { pushgatewayNetworkPolicies } from "./pushgateway-network-policies";

export interface DatabaseBackupsArgs {
  readonly stack: string;
  readonly environment: string;
  readonly namespace: string;
  readonly retention: string;
  readonly schedule: string;
  readonly drillSchedule: string;
  readonly image: string;
  readonly oidcProviderArn: string;
  readonly pushgatewayUrl: string;
  /** Namespace of the Pushgateway the jobs push to. */
  readonly monitoringNamespace: string;
  /** Databases with `backup.enabled`. */
  readonly databases: readonly DatabaseSettings[];
}

export const BACKUP_SERVICE_ACCOUNT = "pg-backup";

/** The stack's backup bucket and identity, and a PostgresBackup per database. */
export class DatabaseBackups extends pulumi.ComponentResource {
  public readonly bucket: BackupBucket;

  constructor(name: string, args: DatabaseBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:backups:DatabaseBackups", name, {}, opts);
    this.bucket = new BackupBucket(
      `${name}-storage`,
      { stack: args.stack, environment: args.environment, retention: args.retention, oidcProviderArn: args.oidcProviderArn, namespace: args.namespace, serviceAccount: BACKUP_SERVICE_ACCOUNT, databases: args.databases.map((db) => db.name) },
      { parent: this },
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      {
        metadata: {
          name: BACKUP_SERVICE_ACCOUNT,
          namespace: args.namespace,
          labels: commonLabels(args.environment),
          annotations: { "eks.amazonaws.com/role-arn": this.bucket.role.arn },
        },
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
    const pushPath = pushgatewayNetworkPolicies({ environment: args.environment, backupNamespace: args.namespace, monitoringNamespace: args.monitoringNamespace });
    new k8s.networking.v1.NetworkPolicy(`${name}-to-pushgateway`, pushPath.egress, { parent: this });
    new k8s.networking.v1.NetworkPolicy(`${name}-pushgateway-ingress`, pushPath.ingress, { parent: this });
    for (const db of args.databases) {
      new PostgresBackup(
        `${name}-${db.name}`,
        {
          environment: args.environment,
          namespace: args.namespace,
          name: db.name,
          host: db.host,
          port: db.port,
          database: db.database,
          user: db.user,
          sslMode: db.sslMode,
          password: databasePasswordSecret(db),
          schedule: args.schedule,
          drillSchedule: args.drillSchedule,
          drillTables: db.backup.drillTables,
          bucket: this.bucket.bucket.bucket,
          prefix: backupPrefix(args.stack, db.name),
          kmsKeyArn: this.bucket.key.arn,
          serviceAccount: BACKUP_SERVICE_ACCOUNT,
          pushgatewayUrl: args.pushgatewayUrl,
          image: args.image,
        },
        { parent: this, dependsOn: [serviceAccount] },
      );
    }
    this.registerOutputs({ bucket: this.bucket.bucket.bucket });
  }
}
