import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import { commonLabels } from "./labels";

export interface AdmissionWebhookPolicyInput {
  readonly environment: string;
  readonly namespace: string;
  /** Policy name. */
  readonly name: string;
  /** Labels of the webhook's pods. */
  readonly pods: Readonly<Record<string, string>>;
  /** The webhook's TLS port. */
  readonly port: number;
}

/**
 * Admits the API server to an admission webhook's pods through the namespace's default deny. On EKS the
 * API server calls webhooks from control-plane ENIs whose addresses AWS does not fix, so the source cannot
 * be narrowed below any address; the rule opens the webhook's TLS port on the webhook's pods and nothing
 * else. Without it every object the webhook validates would be refused once the default deny applies.
 */
export function admissionWebhookPolicy(input: AdmissionWebhookPolicyInput): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: input.name, namespace: input.namespace, labels: commonLabels(input.environment) },
    spec: {
      podSelector: { matchLabels: { ...input.pods } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: input.port }] }],
    },
  };
}
