import type { TopologySpreadConstraint } from "kubernetes-types/core/v1";

/** The well-known node label of an availability zone, set by EKS (and every cloud provider) on each node. */
export const ZONE_TOPOLOGY_KEY = "topology.kubernetes.io/zone";

/**
 * Scheduling preference that puts the replicas of one workload in different availability zones, so that a
 * zone's outage takes some of them, not all (with an EBS volume each, a replica is bound to its volume's zone
 * for good, so where the first pod lands decides it). ScheduleAnyway, not DoNotSchedule: a replica whose
 * volume already lives in a crowded zone, or a zone with no room left, would otherwise stay Pending; with
 * `volumeBindingMode: WaitForFirstConsumer` a hard constraint can wedge a StatefulSet's pod for good. Spreading
 * over nodes stays spreadOverNodes' (node-spread.ts) job. A Deployment counts only the pods of its newest
 * ReplicaSet (pod-template-hash), so a rolling update spreads the new pods instead of skewing against the old.
 */
export function spreadOverZones(podLabels: Readonly<Record<string, string>>, workload: "Deployment" | "StatefulSet"): TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: ZONE_TOPOLOGY_KEY,
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { ...podLabels } },
      ...(workload === "Deployment" ? { matchLabelKeys: ["pod-template-hash"] } : {}),
    },
  ];
}
