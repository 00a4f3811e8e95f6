/**
 * Priority of the pods without which the platform is blind: Prometheus and Alertmanager (metrics, every alert),
 * Loki and its gateway (the logs Alloy pushes). At the default priority 0, one that must move (its node drained,
 * lost or replaced) on a cluster full of app pods stayed Pending until capacity came back, with alerting down
 * exactly while the cluster was short. At system-cluster-critical (built into Kubernetes, usable in any
 * namespace) the scheduler preempts app pods for it, and the kubelet evicts it after the apps under node
 * pressure. The node agents have system-node-critical instead (node-agent-scheduling.ts).
 */
export const MONITORING_PRIORITY_CLASS = "system-cluster-critical";
