import type { LimitRange, Namespace, ResourceQuota } from "kubernetes-types/core/v1";
import type { NetworkPolicy, NetworkPolicyPeer } from "kubernetes-types/networking/v1";
import { commonLabels, LABEL } from "./labels";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface CpuMemory {
  readonly cpu: string;
  readonly memory: string;
}

/** Everything that shapes one namespace, as plain data taken from PlatformConfig. */
export interface NamespaceSpec {
  readonly name: string;
  readonly environment: string;
  readonly team: string;
  readonly podSecurity: PodSecurityLevel;
  readonly quota: {
    readonly requestsCpu: string;
    readonly requestsMemory: string;
    readonly limitsCpu: string;
    readonly limitsMemory: string;
    readonly pods: number;
    readonly persistentVolumeClaims: number;
    readonly loadBalancers: number;
  };
  readonly limitRange: { readonly defaultRequest: CpuMemory; readonly defaultLimit: CpuMemory; readonly maxLimit: CpuMemory };
  /** Most nodes the cluster may scale to: the quota must hold one pod of every DaemonSet per node. */
  readonly maxNodes: number;
  /** Namespace Prometheus scrapes from; admitted everywhere except into itself, where same-namespace covers it. */
  readonly monitoringNamespace: string;
  /**
   * Whether this is the node agents' namespace (nodeAgentsNamespace), whose pods reach into the host by
   * design. PSA does not warn about them there, and the monitoring namespace gets no blanket admission into
   * it: the agents' own NetworkPolicies admit Prometheus on their metrics port only.
   */
  readonly nodeAgents: boolean;
  readonly ingressFromNamespaces: readonly string[];
  readonly egress: { readonly internet: boolean; readonly allNamespaces: boolean; readonly namespaces: readonly string[] };
}

export interface NamespaceManifests {
  readonly namespace: Namespace;
  readonly resourceQuota: ResourceQuota;
  readonly limitRange: LimitRange;
  /** Keyed by policy name; the first is always the default deny. */
  readonly networkPolicies: readonly NetworkPolicy[];
}

// audit/warn one level stricter than enforce (never below baseline) so a namespace that must run
// privileged pods still reports, without blocking, every pod that would break the next level.
// The node agents' namespace is the exception for warn: host access is what its pods exist for, and a
// warning about node-exporter and Alloy on every apply only teaches people to read past PSA warnings.
// Its audit stays at baseline, so the API server's audit log still records every pod admitted there with
// host access: the agents, and anything else that ever lands in the one namespace that lets it through.
function podSecurityLabels(level: PodSecurityLevel, nodeAgents: boolean): Record<string, string> {
  const report: PodSecurityLevel = level === "privileged" ? "baseline" : "restricted";
  return {
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/audit": report,
    "pod-security.kubernetes.io/warn": nodeAgents ? level : report,
  };
}

function fromNamespaces(names: readonly string[]): NetworkPolicyPeer[] {
  return names.map((name) => ({ namespaceSelector: { matchLabels: { [LABEL.namespaceName]: name } } }));
}

/**
 * Annotation of the ResourceQuota: the node count it was sized for. The policy pack's quota check
 * (k8s-quota-holds-demand) counts every DaemonSet pod that many times.
 */
export const QUOTA_SIZED_FOR_NODES = "platform.io/sized-for-nodes";

/** The Namespace and its guard rails: PSA labels, quota, container defaults, default-deny with explicit allows. */
export function namespaceManifests(spec: NamespaceSpec): NamespaceManifests {
  const labels = { ...commonLabels(spec.environment), [LABEL.team]: spec.team };
  const metadata = (name: string) => ({ name, namespace: spec.name, labels });
  const policy = (name: string, body: NetworkPolicy["spec"]): NetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(name),
    spec: body,
  });

  const networkPolicies: NetworkPolicy[] = [
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy("allow-same-namespace", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    policy("allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { [LABEL.namespaceName]: "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
          ],
        },
      ],
    }),
  ];
  if (spec.name !== spec.monitoringNamespace && !spec.nodeAgents) {
    networkPolicies.push(
      policy("allow-monitoring-scrape", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: fromNamespaces([spec.monitoringNamespace]) }] }),
    );
  }
  if (spec.ingressFromNamespaces.length > 0) {
    networkPolicies.push(
      policy("allow-ingress-from-namespaces", { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: fromNamespaces(spec.ingressFromNamespaces) }] }),
    );
  }
  if (spec.egress.allNamespaces) {
    networkPolicies.push(policy("allow-egress-all-namespaces", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] }));
  } else if (spec.egress.namespaces.length > 0) {
    networkPolicies.push(
      policy("allow-egress-to-namespaces", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: fromNamespaces(spec.egress.namespaces) }] }),
    );
  }
  if (spec.egress.internet) {
    networkPolicies.push(policy("allow-egress-internet", { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] }));
  }

  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: spec.name, labels: { ...labels, ...podSecurityLabels(spec.podSecurity, spec.nodeAgents) } },
    },
    resourceQuota: {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { ...metadata("platform-quota"), annotations: { [QUOTA_SIZED_FOR_NODES]: String(spec.maxNodes) } },
      spec: {
        hard: {
          "requests.cpu": spec.quota.requestsCpu,
          "requests.memory": spec.quota.requestsMemory,
          "limits.cpu": spec.quota.limitsCpu,
          "limits.memory": spec.quota.limitsMemory,
          pods: String(spec.quota.pods),
          persistentvolumeclaims: String(spec.quota.persistentVolumeClaims),
          "services.loadbalancers": String(spec.quota.loadBalancers),
        },
      },
    },
    limitRange: {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: metadata("platform-container-defaults"),
      spec: {
        limits: [
          {
            type: "Container",
            defaultRequest: { ...spec.limitRange.defaultRequest },
            default: { ...spec.limitRange.defaultLimit },
            max: { ...spec.limitRange.maxLimit },
          },
        ],
      },
    },
    networkPolicies,
  };
}
