import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { CacheSettings, DatabaseSettings } from "../../stacks/schema";
import { databasePasswordSecret } from "../databases/credentials";
import { helmChartArgs } from "./charts";
import { postgresExporterValues, redisAuthSecretName, REDIS_AUTH_SECRET_KEY, redisExporterServiceAccount, redisExporterValues } from "./exporters";

export interface DataTierExportersArgs {
  readonly namespace: string;
  /** Databases with `exporter: true`. */
  readonly databases: readonly DatabaseSettings[];
  readonly caches: readonly CacheSettings[];
  /** Redis AUTH passwords by the config key a cache's passwordConfigKey names. */
  readonly cacheSecrets: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The image that carries the database servers' CA bundle (the backup image), for databases whose sslMode
   * verifies the server's certificate.
   * @default none: such a database is refused
   */
  readonly serverCaImage?: string;
}

/**
 * One postgres-exporter per monitored database and one redis-exporter per cache. helm.v4.Chart: small
 * stateless Deployments whose objects preview and diff individually.
 */
export class DataTierExporters extends pulumi.ComponentResource {
  constructor(name: string, args: DataTierExportersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitoring:DataTierExporters", name, {}, opts);
    for (const db of args.databases) {
      new k8s.helm.v4.Chart(
        `${name}-postgres-${db.name}`,
        helmChartArgs("postgresExporter", args.namespace, postgresExporterValues(db, databasePasswordSecret(db), args.serverCaImage), db.name),
        { parent: this },
      );
    }
    for (const cache of args.caches) {
      const dependsOn: pulumi.Resource[] = [new k8s.core.v1.ServiceAccount(`${name}-redis-${cache.name}-account`, redisExporterServiceAccount(cache, args.namespace), { parent: this })];
      if (cache.passwordConfigKey !== undefined) {
        // The exporter reads the password from this Secret; it is a Pulumi secret end to end.
        dependsOn.push(
          new k8s.core.v1.Secret(
            `${name}-redis-${cache.name}-auth`,
            {
              metadata: { name: redisAuthSecretName(cache), namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "platform" } },
              type: "Opaque",
              stringData: { [REDIS_AUTH_SECRET_KEY]: pulumi.secret(args.cacheSecrets[cache.passwordConfigKey]) },
            },
            { parent: this },
          ),
        );
      }
      new k8s.helm.v4.Chart(`${name}-redis-${cache.name}`, helmChartArgs("redisExporter", args.namespace, redisExporterValues(cache, args.namespace), cache.name), {
        parent: this,
        dependsOn,
      });
    }
    this.registerOutputs({ databases: args.databases.map((db) => db.name), caches: args.caches.map((cache) => cache.name) });
  }
}
