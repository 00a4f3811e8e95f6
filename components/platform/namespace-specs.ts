import type { NamespaceSpec } from "../core/namespace-manifests";
import { PLATFORM_SYSTEM_NAMESPACES, type StackSettings } from "../../stacks/schema";

/** Namespaces whose workloads belong to the application team: every one but the platform's own. */
export function appNamespaces(settings: Pick<StackSettings, "namespaces" | "monitoringNamespace" | "backupNamespace" | "nodeAgentsNamespace">): string[] {
  const platform = new Set<string>([
    settings.monitoringNamespace,
    settings.backupNamespace,
    settings.nodeAgentsNamespace,
    ...Object.keys(PLATFORM_SYSTEM_NAMESPACES),
  ]);
  return settings.namespaces.map((ns) => ns.name).filter((ns) => !platform.has(ns));
}

/** NamespaceSpec for each configured namespace: the stack-wide settings folded into each entry. */
export function namespaceSpecs(settings: StackSettings): NamespaceSpec[] {
  return settings.namespaces.map((ns) => ({
    ...ns,
    environment: settings.environment,
    monitoringNamespace: settings.monitoringNamespace,
    nodeAgents: ns.name === settings.nodeAgentsNamespace,
    maxNodes: settings.maxNodes,
  }));
}
