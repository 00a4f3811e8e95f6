import type { DatabaseSettings } from "../../stacks/schema";

/** Where a database role's password lives in the cluster: a Secret name and key, the same in every namespace. */
export interface SecretKeyRef {
  readonly name: string;
  readonly key: string;
}

/** Secret key of the password in Secrets the platform generates. */
export const GENERATED_PASSWORD_KEY = "password";

/** The Secret that holds a database's password, whether the platform generated it or it already exists. */
export function databasePasswordSecret(db: Pick<DatabaseSettings, "name" | "password">): SecretKeyRef {
  return db.password === "generated" ? { name: `db-${db.name}-credentials`, key: GENERATED_PASSWORD_KEY } : { ...db.password.existingSecret };
}

/** Namespaces that need the password Secret: the exporter's and the backup jobs'. */
export function credentialNamespaces(db: Pick<DatabaseSettings, "exporter" | "backup">, monitoringNamespace: string, backupNamespace: string): string[] {
  const namespaces: string[] = [];
  if (db.exporter) namespaces.push(monitoringNamespace);
  if (db.backup.enabled) namespaces.push(backupNamespace);
  return namespaces;
}
