import type { NamespaceSpec } from "../core/namespace-manifests";
import type { StackSettings } from "../../stacks/schema";

/** NamespaceSpec for each configured namespace: the stack-wide settings folded into each entry. */
export function namespaceSpecs(settings: StackSettings): NamespaceSpec[] {
  return settings.namespaces.map((ns) => ({
    ...ns,
    environment: settings.environment,
    monitoringNamespace: settings.monitoringNamespace,
  }));
}
