import type { StackSettings } from "../../stacks/schema";

export type ClusterFlavour = StackSettings["clusterFlavour"];

/** kube-prometheus-stack's switches for the cluster components it scrapes (each owns a ServiceMonitor and rules). */
export type ScrapedComponent = "kubeControllerManager" | "kubeScheduler" | "kubeEtcd" | "kubeProxy";

export interface UnscrapableComponent {
  readonly component: ScrapedComponent;
  /** The `job` label its targets would get: what its rules and dashboards select. */
  readonly job: string;
  readonly reason: string;
}

/**
 * Components a flavour does not let Prometheus scrape. Scraping them anyway leaves a ServiceMonitor without
 * targets and rules like KubeControllerManagerDown (`absent(up{job=...})`) firing forever, from day one.
 */
export function unscrapableComponents(flavour: ClusterFlavour): UnscrapableComponent[] {
  if (flavour === "self-managed") return [];
  const controlPlane =
    "EKS runs the control plane in AWS's account: no pod or endpoint of it exists in the cluster (its metrics are only served through the API server's metrics.eks.amazonaws.com API)";
  return [
    { component: "kubeControllerManager", job: "kube-controller-manager", reason: controlPlane },
    { component: "kubeScheduler", job: "kube-scheduler", reason: controlPlane },
    { component: "kubeEtcd", job: "kube-etcd", reason: controlPlane },
    { component: "kubeProxy", job: "kube-proxy", reason: "EKS's kube-proxy add-on binds its metrics to 127.0.0.1:10249, out of Prometheus' reach" },
  ];
}
