import type { Toleration } from "kubernetes-types/core/v1";

/**
 * Where the node agents (node-exporter, Alloy) run: on every node, first. One pod per node each, and a node
 * without one is a node whose metrics, logs and spans are missing.
 *
 * - Priority: the built-in system-node-critical (Kubernetes creates it; any namespace may use it). A DaemonSet's
 *   pods are placed by the scheduler like any other: on a node already full of app pods one at priority 0 stays
 *   Pending, with nothing to preempt, and under memory pressure the kubelet evicts it with the apps. At this
 *   priority it preempts an app pod for its room and is evicted last.
 * - Tolerations: every taint. The DaemonSet controller adds only the node-condition ones (not-ready,
 *   unschedulable, disk pressure...); a node group tainted for dedicated workloads, or a node being tainted
 *   out of service, would otherwise have no agent, silently.
 */
export const NODE_AGENT_PRIORITY_CLASS = "system-node-critical";

export const NODE_AGENT_TOLERATIONS: readonly Toleration[] = [{ operator: "Exists" }];

/** The two settings as the charts spell them (Alloy under `controller`, node-exporter at its top level). */
export function nodeAgentScheduling(): { priorityClassName: string; tolerations: Toleration[] } {
  return { priorityClassName: NODE_AGENT_PRIORITY_CLASS, tolerations: NODE_AGENT_TOLERATIONS.map((t) => ({ ...t })) };
}
