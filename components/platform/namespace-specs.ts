import type { NamespaceSpec } from "../core/namespace-manifests";
import type { StackSettings } from "../../stacks/schema";

/** Namespaces whose workloads belong to the application team: every one but the platform's own. */
export function appNamespaces(settings: Pick<StackSettings, "namespaces" | "monitoringNamespace" | "backupNamespace">): string[] {
  return settings.namespaces.map((ns) => ns.name).filter((ns) => ns !== settings.monitoringNamespace && ns !== settings.backupNamespace);
}

/** NamespaceSpec for each configured namespace: the stack-wide settings folded into each entry. */
export function namespaceSpecs(settings: StackSettings): NamespaceSpec[] {
  return settings.namespaces.map((ns) => ({
    ...ns,
    environment: settings.environment,
    monitoringNamespace: settings.monitoringNamespace,
    maxNodes: settings.maxNodes,
  }));
}
