/**
 * Node-local disk a container may use: its writable layer (read-only for every container here), its logs (the
 * kubelet counts them, and keeps up to 5 files of 10Mi on EKS), and its share of the pod's emptyDir volumes
 * (the kubelet compares their use with the sum of the containers' limits). Without a limit one container that
 * fills the node's disk gets every pod on that node evicted; without a request the scheduler puts pods on a
 * node whose disk is already full.
 */
export interface EphemeralStorage {
  readonly request: string;
  readonly limit: string;
}

/** A container that writes nothing but its logs, and small files into an emptyDir (certificates, a config, a socket). */
export const LOGS_ONLY: EphemeralStorage = { request: "64Mi", limit: "256Mi" };

/** A container whose emptyDir volumes may hold up to the sum of `volumes` (their sizeLimits, or what the program writes there), besides its logs. */
export function withVolumes(...volumes: string[]): EphemeralStorage {
  const total = volumes.reduce((sum, size) => sum + mebibytes(size), 0);
  return { request: LOGS_ONLY.request, limit: `${total + mebibytes(LOGS_ONLY.limit)}Mi` };
}

function mebibytes(quantity: string): number {
  const m = /^(\d+)(Mi|Gi)$/.exec(quantity);
  if (!m) throw new Error(`"${quantity}" is not a size in Mi or Gi`);
  return Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
}

type Amounts = Readonly<Record<string, string>>;

/** `resources` (requests and limits of CPU and memory) with the ephemeral storage added. */
export function withEphemeralStorage<R extends { readonly requests: Amounts; readonly limits: Amounts }>(
  resources: R,
  storage: EphemeralStorage = LOGS_ONLY,
): { requests: R["requests"] & { "ephemeral-storage": string }; limits: R["limits"] & { "ephemeral-storage": string } } {
  return {
    requests: { ...resources.requests, "ephemeral-storage": storage.request },
    limits: { ...resources.limits, "ephemeral-storage": storage.limit },
  };
}

/** Requests and limits of CPU and memory, with the ephemeral storage of a container that writes only its logs. */
export const sized = (requestCpu: string, requestMemory: string, limitCpu: string, limitMemory: string) =>
  withEphemeralStorage({ requests: { cpu: requestCpu, memory: requestMemory }, limits: { cpu: limitCpu, memory: limitMemory } });
