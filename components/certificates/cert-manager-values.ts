import { sized } from "../core/ephemeral-storage";
import { spreadOverNodes } from "../core/node-spread";
import { spreadOverZones } from "../core/zone-spread";
import { IRSA_ROLE_ANNOTATION } from "../core/irsa-role";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { chartPodSecurityContext } from "../core/chart-pod-user";

/** ServiceAccount of cert-manager's controller, which the DNS-01 IRSA role trusts (the chart names it after the release). */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

/** Labels of the webhook's pods (the chart's selector labels), which the API server must reach on 10250. */
export const CERT_MANAGER_WEBHOOK_PODS = { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "webhook" } as const;

const CERT_MANAGER_CONTROLLER_PODS = { "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "controller" } as const;
const CERT_MANAGER_CAINJECTOR_PODS = { "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "cainjector" } as const;

export interface CertManagerValuesInput {
  readonly environment: "staging" | "production";
  readonly namespace: string;
  /** ARN of the IRSA role for the DNS-01 solver. */
  readonly roleArn: string;
}

/**
 * cert-manager v1.21 values. Every component is leader-elected or stateless, so production runs two of
 * each with a PodDisruptionBudget; the lease stays in cert-manager's own namespace instead of kube-system.
 * startupapicheck is off: the release waits for the webhook's readiness, and the ClusterIssuer applied
 * after it is the real check.
 */
export function certManagerValues(input: CertManagerValuesInput) {
  const replicas = input.environment === "production" ? 2 : 1;
  const budget = { enabled: true, maxUnavailable: 1 };
  return {
    crds: { enabled: true, keep: true },
    global: { leaderElection: { namespace: input.namespace } },
    replicaCount: replicas,
    podDisruptionBudget: budget,
    // Every component's pod context: the chart's (non-root, RuntimeDefault seccomp) with a user and group, which
    // it leaves to the image (1000). The binaries write nothing to disk (read-only root, no volumes), so no fsGroup.
    securityContext: chartPodSecurityContext,
    serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: input.roleArn } },
    resources: sized("50m", "128Mi", "500m", "512Mi"),
    affinity: spreadOverNodes(CERT_MANAGER_CONTROLLER_PODS),
    topologySpreadConstraints: spreadOverZones(CERT_MANAGER_CONTROLLER_PODS, "Deployment"),
    // The DNS-01 self-check asks the zone's authoritative servers over the internet, not the VPC resolver,
    // whose negative caching would delay every issuance.
    dns01RecursiveNameserversOnly: false,
    prometheus: { enabled: true, servicemonitor: { enabled: true, labels: { ...PROMETHEUS_SELECTOR_LABELS } } },
    webhook: { replicaCount: replicas, podDisruptionBudget: budget, securityContext: chartPodSecurityContext, resources: sized("20m", "64Mi", "200m", "256Mi"), affinity: spreadOverNodes(CERT_MANAGER_WEBHOOK_PODS), topologySpreadConstraints: spreadOverZones(CERT_MANAGER_WEBHOOK_PODS, "Deployment") },
    cainjector: {
      replicaCount: replicas,
      podDisruptionBudget: budget,
      securityContext: chartPodSecurityContext,
      resources: sized("20m", "128Mi", "200m", "512Mi"),
      affinity: spreadOverNodes(CERT_MANAGER_CAINJECTOR_PODS),
      topologySpreadConstraints: spreadOverZones(CERT_MANAGER_CAINJECTOR_PODS, "Deployment"),
    },
    startupapicheck: { enabled: false, securityContext: chartPodSecurityContext },
  };
}
