import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { irreplaceable } from "./data-protection";
import { namespaceManifests, type NamespaceSpec } from "./namespace-manifests";

export type PlatformNamespaceArgs = NamespaceSpec;

/** A namespace with its guard rails (PSA labels, ResourceQuota, LimitRange, default-deny NetworkPolicies). */
export class PlatformNamespace extends pulumi.ComponentResource {
  public readonly namespace: k8s.core.v1.Namespace;
  /** The namespace's name, resolved once the Namespace exists; depend on this to order children after it. */
  public readonly name: pulumi.Output<string>;

  constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:core:PlatformNamespace", name, {}, opts);
    const manifests = namespaceManifests(args);
    // Deleting a namespace deletes its PersistentVolumeClaims, and with them the volumes' data.
    const holdsVolumes = args.quota.persistentVolumeClaims > 0;
    this.namespace = new k8s.core.v1.Namespace(`${name}-ns`, manifests.namespace, { parent: this, ...(holdsVolumes ? irreplaceable(args.environment) : {}) });
    const inNamespace = { parent: this, dependsOn: [this.namespace] };
    new k8s.core.v1.ResourceQuota(`${name}-quota`, manifests.resourceQuota, inNamespace);
    new k8s.core.v1.LimitRange(`${name}-limits`, manifests.limitRange, inNamespace);
    for (const policy of manifests.networkPolicies) {
      new k8s.networking.v1.NetworkPolicy(`${name}-${policy.metadata!.name}`, policy, inNamespace);
    }
    this.name = this.namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
