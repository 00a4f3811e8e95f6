/** Where one stack deploys, as the explicit providers need it. */
export interface StackTarget {
  readonly environment: string;
  readonly stack: string;
  readonly clusterName: string;
  readonly kubeContext: string;
  readonly awsAccountId: string;
  readonly awsRegion: string;
}

/** Arguments of the stack's Kubernetes provider. */
export interface KubernetesProviderSettings {
  readonly context: string;
  readonly clusterIdentifier: string;
  readonly deleteUnreachable: false;
}

/** Arguments of the stack's AWS provider. */
export interface AwsProviderSettings {
  readonly region: string;
  readonly allowedAccountIds: string[];
  readonly defaultTags: { readonly tags: Record<string, string> };
}

/**
 * The explicit providers' settings. The Kubernetes provider is replaced only when the cluster's identity
 * changes (clusterIdentifier), not when a kubeconfig is regenerated or a context renamed; and it never drops
 * resources from state because the cluster cannot be reached. The AWS provider refuses every account but
 * the stack's own, so production credentials in a staging shell (or the reverse) fail before any call.
 */
export function targetProviderSettings(target: StackTarget): { kubernetes: KubernetesProviderSettings; aws: AwsProviderSettings } {
  return {
    kubernetes: {
      context: target.kubeContext,
      clusterIdentifier: `${target.awsAccountId}/${target.awsRegion}/${target.clusterName}`,
      deleteUnreachable: false,
    },
    aws: {
      region: target.awsRegion,
      allowedAccountIds: [target.awsAccountId],
      defaultTags: { tags: { "platform.io/environment": target.environment, "platform.io/stack": target.stack, "app.kubernetes.io/managed-by": "pulumi" } },
    },
  };
}
