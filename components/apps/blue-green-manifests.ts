import type { Deployment } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { Job } from "kubernetes-types/batch/v1";
import type { ConfigMap, Secret, Service, ServiceAccount } from "kubernetes-types/core/v1";
import type { NetworkPolicy } from "kubernetes-types/networking/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { type Color, COLORS } from "../../stacks/apps-schema";
import type { ProbeTarget } from "../monitoring/blackbox";
import type { BlueGreenAppSpec } from "./app-spec";
import { gateConfigMapManifest, gateJobManifest, gateNetworkPolicyManifests, scaleDownDelayJobManifest } from "./gate";
import { activeProbeTarget, serviceMonitorManifest } from "./observability";
import { colorServiceManifest, trafficServiceManifest } from "./services";
import { deploymentManifest, horizontalPodAutoscalerManifest, podDisruptionBudgetManifest, secretManifest, serviceAccountManifest } from "./workload";

/** Every object of one blue-green app, as plain data. */
export interface BlueGreenManifests {
  readonly serviceAccount: ServiceAccount;
  /** Without data: the component adds the secret values. Undefined when the app has no secretEnv. */
  readonly secret: Secret | undefined;
  readonly gateConfigMap: ConfigMap;
  readonly deployments: Readonly<Record<Color, Deployment>>;
  readonly podDisruptionBudgets: Readonly<Record<Color, PodDisruptionBudget>>;
  /** Only with hpa. */
  readonly horizontalPodAutoscalers: Readonly<Partial<Record<Color, HorizontalPodAutoscaler>>>;
  readonly colorServices: Readonly<Record<Color, Service>>;
  readonly activeService: Service;
  readonly previewService: Service;
  readonly gateJob: Job;
  readonly scaleDownDelayJob: Job | undefined;
  readonly gateNetworkPolicies: { readonly egress: NetworkPolicy; readonly ingress: NetworkPolicy };
  readonly serviceMonitor: ReturnType<typeof serviceMonitorManifest>;
  readonly probe: ProbeTarget;
}

function perColor<T>(build: (color: Color) => T): Record<Color, T> {
  return Object.fromEntries(COLORS.map((c) => [c, build(c)])) as Record<Color, T>;
}

export function blueGreenManifests(spec: BlueGreenAppSpec, gateScript: string): BlueGreenManifests {
  const horizontalPodAutoscalers: Partial<Record<Color, HorizontalPodAutoscaler>> = {};
  for (const color of COLORS) {
    const hpa = horizontalPodAutoscalerManifest(spec, color);
    if (hpa) horizontalPodAutoscalers[color] = hpa;
  }
  return {
    serviceAccount: serviceAccountManifest(spec),
    secret: secretManifest(spec),
    gateConfigMap: gateConfigMapManifest(spec, gateScript),
    deployments: perColor((c) => deploymentManifest(spec, c)),
    podDisruptionBudgets: perColor((c) => podDisruptionBudgetManifest(spec, c)),
    horizontalPodAutoscalers,
    colorServices: perColor((c) => colorServiceManifest(spec, c)),
    activeService: trafficServiceManifest(spec, "active"),
    previewService: trafficServiceManifest(spec, "preview"),
    gateJob: gateJobManifest(spec, gateScript),
    scaleDownDelayJob: scaleDownDelayJobManifest(spec),
    gateNetworkPolicies: gateNetworkPolicyManifests(spec),
    serviceMonitor: serviceMonitorManifest(spec),
    probe: activeProbeTarget(spec),
  };
}
