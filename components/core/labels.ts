/** Label keys the platform writes. One place, so selectors and policies agree on spelling. */
export const LABEL = {
  managedBy: "app.kubernetes.io/managed-by",
  partOf: "app.kubernetes.io/part-of",
  environment: "platform.io/environment",
  team: "platform.io/team",
  namespaceName: "kubernetes.io/metadata.name",
} as const;

/** Labels on every object the platform creates. */
export function commonLabels(environment: string): Record<string, string> {
  return { [LABEL.managedBy]: "pulumi", [LABEL.partOf]: "platform", [LABEL.environment]: environment };
}
