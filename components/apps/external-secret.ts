import type { AppSettings } from "../../stacks/apps-schema";
import { secretsManagerEnv } from "../../stacks/apps-schema";
import { REFRESH_INTERVAL, SECRET_STORE_NAME, SYNCED_SECRET_LABEL } from "../secrets/secret-store";
import { appLabels } from "./labels";
import { externalSecretName } from "./workload";

/**
 * The ExternalSecret of an app's Secrets Manager entries: ESO writes Secret `<app>-external-env` with one key
 * per variable and keeps it in step every REFRESH_INTERVAL. Undefined when the app reads nothing from there.
 */
export function appExternalSecretManifest(app: AppSettings, environment: string) {
  const entries = secretsManagerEnv(app);
  if (entries.length === 0) return undefined;
  const labels = appLabels(app.name, environment);
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ExternalSecret",
    metadata: { name: externalSecretName(app.name), namespace: app.namespace, labels },
    spec: {
      refreshInterval: REFRESH_INTERVAL,
      secretStoreRef: { kind: "ClusterSecretStore", name: SECRET_STORE_NAME },
      target: {
        name: externalSecretName(app.name),
        creationPolicy: "Owner",
        // A secret deleted in Secrets Manager must not empty a running app's environment on the next refresh.
        deletionPolicy: "Retain",
        template: { type: "Opaque", metadata: { labels: { ...labels, ...SYNCED_SECRET_LABEL } } },
      },
      data: entries.map(([variable, ref]) => ({
        secretKey: variable,
        remoteRef: { key: ref.name, ...(ref.key === undefined ? {} : { property: ref.key }) },
      })),
    },
  };
}

/** Reloader's annotation on a Deployment: roll its pods whenever one of these Secrets changes. */
export const RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload";
