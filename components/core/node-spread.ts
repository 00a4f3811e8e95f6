/**
 * Scheduling preference that puts the replicas of one workload on different nodes, so that a node's loss or
 * drain takes one of them, not all. Preferred, not required: when the cluster is short of nodes the replicas
 * still run (together) instead of waiting Pending.
 */
export function spreadOverNodes(podLabels: Readonly<Record<string, string>>) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, podAffinityTerm: { labelSelector: { matchLabels: { ...podLabels } }, topologyKey: "kubernetes.io/hostname" } },
      ],
    },
  };
}
