import { commonLabels, LABEL } from "../core/labels";

export const SECRET_STORE_NAME = "aws-secrets-manager";

/**
 * How often ESO re-reads each secret. A rotation in Secrets Manager reaches the synced Secret within this
 * time; Reloader then rolls the pods within seconds. Five minutes costs each secret ~8,640 GetSecretValue
 * calls a month (about $0.04), far below what a faster rotation would be worth.
 */
export const REFRESH_INTERVAL = "5m";

/** Label on every Secret ESO writes for an app: Reloader watches Secrets with it, and only those. */
export const SYNCED_SECRET_LABEL = { "platform.io/secret-source": "secrets-manager" } as const;

export interface SecretStoreInput {
  readonly environment: string;
  readonly region: string;
  /** Namespaces whose ExternalSecrets may use the store: the app namespaces. */
  readonly namespaces: readonly string[];
}

/**
 * The stack's one store: AWS Secrets Manager in the stack's region, reached with the controller's own IRSA
 * role (no auth block, so no key is stored), and usable from the app namespaces only.
 */
export function clusterSecretStoreManifest(input: SecretStoreInput) {
  return {
    apiVersion: "external-secrets.io/v1",
    kind: "ClusterSecretStore",
    metadata: { name: SECRET_STORE_NAME, labels: { ...commonLabels(input.environment), "app.kubernetes.io/component": "secrets" } },
    spec: {
      provider: { aws: { service: "SecretsManager", region: input.region } },
      conditions: [{ namespaceSelector: { matchExpressions: [{ key: LABEL.namespaceName, operator: "In", values: [...input.namespaces] }] } }],
    },
  };
}
