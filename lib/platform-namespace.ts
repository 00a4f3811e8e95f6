import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { PlatformNamespace as NamespaceWithGuardRails } from "../components/core/platform-namespace";
import { NamespaceSchema } from "../stacks/schema";
import { parseArgs } from "./args-error";
import type { CpuMemory, Environment, PodSecurityLevel } from "./types";

/** The namespace's ResourceQuota. */
export interface NamespaceQuota {
  /** Sum of CPU requests of the namespace's pods (Kubernetes quantity, e.g. 4). */
  requestsCpu: string;
  /** Sum of memory requests (e.g. 8Gi). */
  requestsMemory: string;
  /** Sum of CPU limits. */
  limitsCpu: string;
  /** Sum of memory limits. */
  limitsMemory: string;
  /** Most pods the namespace may hold (1 to 10000). It must hold one pod per node of every DaemonSet deployed there, at maxNodes nodes. */
  pods: number;
  /** Most PersistentVolumeClaims (0 to 1000). Above 0, the namespace is protected in production: deleting it deletes the volumes. */
  persistentVolumeClaims: number;
  /** Most Services of type LoadBalancer (0 to 100). */
  loadBalancers: number;
}

/** The namespace's LimitRange: what a container gets when it sets nothing, and the most it may ask for. */
export interface NamespaceLimitRange {
  /** Requests of a container that sets none. */
  defaultRequest: CpuMemory;
  /** Limits of a container that sets none. */
  defaultLimit: CpuMemory;
  /** Highest limits a container may set. */
  maxLimit: CpuMemory;
}

/** Egress the namespace's pods get beyond DNS and their own namespace. */
export interface NamespaceEgress {
  /** Any destination outside the cluster's pod network (SaaS webhooks, S3, the Kubernetes API). Default: false. */
  internet?: boolean;
  /** Every namespace of the cluster (Prometheus scraping, blackbox probes). Default: false. */
  allNamespaces?: boolean;
  /** Named namespaces only. Default: none. */
  namespaces?: string[];
}

export interface PlatformNamespaceArgs {
  /** Name of the namespace (a DNS label). */
  name: string;
  /** Environment of the stack: staging or production. */
  environment: Environment;
  /** Team that owns the namespace (a DNS label); recorded as the platform.io/team label that alert routing reads. */
  team: string;
  /** Pod Security Admission level the namespace enforces; audit and warn run one level stricter. Default: restricted. */
  podSecurity?: PodSecurityLevel;
  /** The namespace's ResourceQuota. */
  quota: NamespaceQuota;
  /** The namespace's LimitRange. */
  limitRange: NamespaceLimitRange;
  /** Most nodes the cluster may scale to (1 to 1000); recorded on the ResourceQuota (platform.io/sized-for-nodes) for the quota policy. */
  maxNodes: number;
  /** Namespace Prometheus scrapes from: admitted into this namespace by its NetworkPolicies. Default: monitoring. */
  monitoringNamespace?: string;
  /** Whether this namespace holds the node agents (node-exporter, Alloy), whose pods reach into the host; it must then enforce privileged. Default: false. */
  nodeAgents?: boolean;
  /** Other namespaces whose pods may connect in (same-namespace traffic and Prometheus' scrapes are always admitted). Default: none. */
  ingressFromNamespaces?: string[];
  /** Egress beyond DNS and the namespace itself. Default: none. */
  egress?: NamespaceEgress;
}

const dnsLabel = NamespaceSchema.shape.name;
const egress = NamespaceSchema.shape.egress.shape;

/** The stack schema's namespace entry, with the defaults a standalone caller may omit. */
const PlatformNamespaceArgsSchema = NamespaceSchema.extend({
  environment: z.enum(["staging", "production"]),
  podSecurity: NamespaceSchema.shape.podSecurity.default("restricted"),
  maxNodes: z.number().int().min(1).max(1000),
  monitoringNamespace: dnsLabel.default("monitoring"),
  nodeAgents: z.boolean().default(false),
  ingressFromNamespaces: NamespaceSchema.shape.ingressFromNamespaces.default([]),
  egress: z
    .strictObject({ internet: egress.internet.default(false), allNamespaces: egress.allNamespaces.default(false), namespaces: egress.namespaces.default([]) })
    .prefault({}),
});

/**
 * A namespace with its guard rails: Pod Security Admission labels, a ResourceQuota, a LimitRange and
 * default-deny NetworkPolicies that admit DNS, the namespace itself, Prometheus' scrapes and the traffic the
 * arguments name. In production a namespace whose quota admits PersistentVolumeClaims is protected.
 */
export class PlatformNamespace extends pulumi.ComponentResource {
  /** Name of the namespace, once it exists; depend on it to create objects in the namespace after it. */
  public readonly namespaceName: pulumi.Output<string>;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validated before super: invalid arguments register nothing, not even the component.
    const spec = parseArgs("PlatformNamespace", name, PlatformNamespaceArgsSchema, args, (a) =>
      a.nodeAgents && a.podSecurity !== "privileged"
        ? [{ path: "podSecurity", reason: `must be privileged in the node agents' namespace, whose pods reach into the host (got ${JSON.stringify(a.podSecurity)})` }]
        : [],
    );
    super("platform:index:PlatformNamespace", name, {}, opts);
    const namespace = new NamespaceWithGuardRails(name, spec, { parent: this });
    this.namespaceName = namespace.name;
    this.registerOutputs({ namespaceName: this.namespaceName });
  }
}
