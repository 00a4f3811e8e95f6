import type { RecordedResource } from "./mocks";

/**
 * When a change replaces a resource instead of updating it in place: the rules the providers apply in their
 * Diff, so the offline `--diff` tells `+-` from `~` as `pulumi preview` does.
 *
 * Kubernetes objects follow pulumi-kubernetes (provider/pkg/provider/diff.go `forceNew` and provider.go
 * `Diff`, at the version .ci/build-tools builds): a changed name or namespace always replaces; so does a
 * changed field that the API server treats as immutable, per kind, listed below; a Secret's or ConfigMap's
 * contents replace it unless the provider enables mutable Secrets/ConfigMaps and the object is not
 * `immutable`. A replacement keeping the same name deletes the old object first. Random resources replace on
 * every input (pulumi-random marks them all ForceNew). The Kubernetes provider itself is replaced only when
 * its `clusterIdentifier` changes, and then every object it manages is replaced with it.
 *
 * Not covered: AWS resources (their provider's schema is not available offline; the diff lists their changes
 * as updates and says so), and objects rendered from a helm.v3.Release, which Helm patches itself (a change
 * of an immutable field fails its upgrade instead: helmRefusedFields).
 */

export type PathSegment = string | number;

/** A path pattern: object keys, with "*" for any array index. */
type Pattern = readonly string[];

const path = (text: string): Pattern => text.split(".").flatMap((part) => (part.endsWith("[*]") ? [part.slice(0, -3), "*"] : [part]));
const paths = (...texts: string[]): Pattern[] => texts.map(path);

function labelSelector(prefix: string): Pattern[] {
  return paths(prefix, `${prefix}.matchExpressions`, `${prefix}.matchLabels`);
}

function containers(...prefixes: string[]): Pattern[] {
  const fields = [
    "args", "command", "env", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "ports", "readinessProbe", "resources",
    "securityContext", "stdin", "stdinOnce", "terminationMessagePath", "terminationMessagePolicy", "tty", "volumeDevices",
    "volumeMounts", "workingDir",
  ];
  return prefixes.flatMap((prefix) => fields.map((field) => path(`${prefix}.${field}`)));
}

const METADATA = paths("metadata.name", "metadata.namespace");
const WORKLOAD_SELECTOR = [...paths("spec.selector"), ...labelSelector("spec.selector")];
const STATEFUL_SET = [...paths("spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates"), ...WORKLOAD_SELECTOR];
const JOB = [...paths("spec.completions", "spec.parallelism", "spec.template"), ...WORKLOAD_SELECTOR];
const ROLE_BINDING = paths("roleRef");
const CORE_V1: Record<string, Pattern[]> = {
  PersistentVolume: paths(
    ...["awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume", "flocker", "gcePersistentDisk", "glusterfs",
      "hostPath", "iscsi", "local", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume"].map((f) => `spec.${f}`),
  ),
  PersistentVolumeClaim: [...paths("spec.accessModes", "spec.storageClassName", "spec.volumeName"), ...labelSelector("spec.selector")],
  Pod: [
    ...paths(
      ...["affinity", "automountServiceAccountToken", "dnsConfig", "dnsPolicy", "enableServiceLinks", "hostAliases", "hostIPC", "hostNetwork", "hostPID",
        "hostname", "imagePullSecrets", "nodeName", "nodeSelector", "overhead", "preemptionPolicy", "priority", "priorityClassName", "readinessGates",
        "restartPolicy", "runtimeClassName", "schedulerName", "securityContext", "serviceAccount", "serviceAccountName", "shareProcessNamespace",
        "subdomain", "terminationGracePeriodSeconds", "volumes"].map((f) => `spec.${f}`),
    ),
    ...containers("spec.containers[*]", "spec.initContainers[*]"),
  ],
  ResourceQuota: paths("spec.scopes"),
  Service: paths("spec.clusterIP"),
};

/** Immutable fields by apiVersion, then kind (metadata.name and namespace apply to every kind). */
const IMMUTABLE: Record<string, Record<string, Pattern[]>> = {
  v1: CORE_V1,
  "apps/v1": { DaemonSet: WORKLOAD_SELECTOR, Deployment: WORKLOAD_SELECTOR, StatefulSet: STATEFUL_SET },
  "apps/v1beta2": { DaemonSet: WORKLOAD_SELECTOR, Deployment: WORKLOAD_SELECTOR, StatefulSet: STATEFUL_SET },
  "apps/v1beta1": { StatefulSet: STATEFUL_SET },
  "batch/v1": { Job: JOB },
  "batch/v1beta1": { Job: JOB },
  "policy/v1beta1": { PodDisruptionBudget: paths("spec") },
  "rbac.authorization.k8s.io/v1": { ClusterRoleBinding: ROLE_BINDING, RoleBinding: ROLE_BINDING },
  "rbac.authorization.k8s.io/v1beta1": { ClusterRoleBinding: ROLE_BINDING, RoleBinding: ROLE_BINDING },
  "storage.k8s.io/v1": { StorageClass: paths("parameters", "provisioner") },
};
const SECRET_CONTENTS = paths("type", "stringData", "data");
const CONFIG_MAP_CONTENTS = paths("binaryData", "data");

/** Does `pattern` cover `segments` (the pattern is the path or one of its ancestors)? */
function covers(pattern: Pattern, segments: readonly PathSegment[]): boolean {
  if (pattern.length > segments.length) return false;
  return pattern.every((part, i) => (part === "*" ? typeof segments[i] === "number" : part === segments[i]));
}

const flag = (value: unknown) => value === true || value === "true";

/** The fields whose change replaces this Kubernetes object, as the provider computes them from the new inputs. */
function kubernetesReplaceFields(type: string, inputs: Record<string, any>, providerInputs: Record<string, unknown> = {}): Pattern[] {
  const fields = [...METADATA];
  // Patch resources (ConfigMapPatch, ...) change other fields in place, whatever they are.
  if (type.endsWith("Patch")) return fields;
  const apiVersion = String(inputs.apiVersion ?? "");
  const kind = String(inputs.kind ?? "");
  const byKind = IMMUTABLE[apiVersion];
  if (!byKind) return fields;
  if (apiVersion === "v1" && kind === "Secret") {
    if (!(flag(providerInputs.enableSecretMutable) && !flag(inputs.immutable))) fields.push(...SECRET_CONTENTS);
  } else if (byKind[kind]) {
    fields.push(...byKind[kind]);
  } else if (apiVersion === "v1" && kind === "ConfigMap") {
    if (!(flag(providerInputs.enableConfigMapMutable) && !flag(inputs.immutable))) fields.push(...CONFIG_MAP_CONTENTS);
  }
  return fields;
}

/** One changed leaf of a resource's inputs: its path below `inputs`. */
export interface InputChange {
  readonly segments: readonly PathSegment[];
}

export interface Replacement {
  /** The changed input paths that force the replacement (or why, for a provider's replacement). */
  readonly because: readonly string[];
  /** The provider deletes the old object before it creates the new one (same name, same namespace). */
  readonly deleteBeforeReplace: boolean;
}

/** Whether the offline diff knows this resource type's replacement rules (otherwise it cannot tell). */
export function replacementRulesKnown(type: string): boolean {
  return type.startsWith("kubernetes:") || type.startsWith("random:") || type === "pulumi:providers:kubernetes";
}

/**
 * Whether changing these inputs replaces the resource, by its provider's rules. `providerInputs` are the
 * inputs of the explicit provider it uses (the Kubernetes provider's enableSecretMutable/ConfigMapMutable);
 * `providerReplaced` says the engine replaces that provider in the same update.
 */
export function replacementOf(
  before: RecordedResource,
  after: RecordedResource,
  changes: readonly InputChange[],
  providerInputs: Record<string, unknown> = {},
  providerReplaced = false,
): Replacement | undefined {
  const type = after.type;
  if (type === "pulumi:providers:kubernetes") {
    // DiffConfig: a changed clusterIdentifier replaces; an unchanged one means the same cluster, whatever
    // the kubeconfig or context say. Without one, a changed context or kubeconfig may name another cluster.
    const was = before.inputs.clusterIdentifier;
    const is = after.inputs.clusterIdentifier;
    const changed = changes.map((c) => String(c.segments[0]));
    if (was !== undefined && is !== undefined) return was !== is ? { because: ["clusterIdentifier"], deleteBeforeReplace: false } : undefined;
    const cluster = changed.filter((key) => ["kubeconfig", "context", "cluster", "renderYamlToDirectory"].includes(key));
    return cluster.length > 0 ? { because: [...new Set(cluster)], deleteBeforeReplace: false } : undefined;
  }
  if (providerReplaced) return { because: [`its provider ${after.provider?.split("::").pop()} is replaced`], deleteBeforeReplace: false };
  if (type.startsWith("random:")) {
    return changes.length > 0 ? { because: [...new Set(changes.map((c) => String(c.segments[0])))], deleteBeforeReplace: false } : undefined;
  }
  if (!type.startsWith("kubernetes:") || isHelmV3Rendered(after)) return undefined;
  const because = changedFields(kubernetesReplaceFields(type, after.inputs, providerInputs), changes);
  if (because.length === 0) return undefined;
  const name = (r: RecordedResource) => (r.inputs.metadata as { name?: string; namespace?: string } | undefined) ?? {};
  // The provider deletes first when the new object must have the old one's name (it is named, not autonamed).
  const sameName = name(after).name !== undefined && name(after).name === name(before).name && name(after).namespace === name(before).namespace;
  const deleteBeforeReplace = sameName || after.options.deleteBeforeReplace;
  return { because, deleteBeforeReplace };
}

/** The changed fields among `fields`, named as the provider names them (`spec.template`, not every leaf below it). */
function changedFields(fields: readonly Pattern[], changes: readonly InputChange[]): string[] {
  const matched = [...new Set(changes.flatMap((c) => fields.filter((f) => covers(f, c.segments)).map((f) => f.join(".").replace(/\.\*/g, "[*]"))))];
  return matched.filter((f) => !matched.some((other) => f !== other && (f.startsWith(`${other}.`) || f.startsWith(`${other}[`))));
}

/**
 * The changed fields of a helm.v3.Release's object that the API server refuses to change in place (a
 * StatefulSet's volumeClaimTemplates, a workload's selector, a Job's template): Helm patches the live object,
 * so the release's upgrade fails, and an atomic release rolls back, where the engine would have replaced it.
 * A new name is no such change: Helm deletes the old object and creates the new one.
 */
export function helmRefusedFields(after: RecordedResource, changes: readonly InputChange[]): string[] {
  if (!isHelmV3Rendered(after)) return [];
  return changedFields(IMMUTABLE[String(after.inputs.apiVersion ?? "")]?.[String(after.inputs.kind ?? "")] ?? [], changes);
}

/** Objects of a helm.v3.Release exist in the plan only: Helm, not the engine, updates them. */
function isHelmV3Rendered(resource: RecordedResource): boolean {
  return resource.renderedFrom !== undefined && (resource.parent ?? "").includes("kubernetes:helm.sh/v3:Release");
}
