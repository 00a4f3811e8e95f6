import type { Deployment } from "kubernetes-types/apps/v1";
import type { HorizontalPodAutoscaler } from "kubernetes-types/autoscaling/v2";
import type { Container, EnvVar, PodSecurityContext, Probe, Secret, SecurityContext, ServiceAccount, TopologySpreadConstraint } from "kubernetes-types/core/v1";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1";
import { type Color, configSecretEnv, SENTRY_PLATFORM_ENV, secretsManagerEnv } from "../../stacks/apps-schema";
import { withEphemeralStorage, withVolumes } from "../core/ephemeral-storage";
import type { BlueGreenAppSpec, ColorPlan } from "./app-spec";
import { appLabels, colorLabels, colorSelector } from "./labels";
import { telemetryEnvironment } from "./telemetry-env";

/**
 * Name of one colour's Deployment. The alert rules rebuild it from a preview's `service` and `color` labels
 * (label_join with "-", components/alerting/rules/blue-green.ts), so it must stay `<app>-<color>`.
 */
export const colorDeploymentName = (app: string, color: Color) => `${app}-${color}`;

/** Name of the Secret holding an app's secretEnv values from Pulumi config (Pulumi writes it). */
export const secretName = (app: string) => `${app}-env`;

/** Name of the Secret holding an app's secretEnv values from Secrets Manager (the External Secrets Operator writes it). */
export const externalSecretName = (app: string) => `${app}-external-env`;

/**
 * UID/GID the app containers run as. Fixed and numeric so the kubelet can enforce runAsNonRoot for any
 * image (it cannot check a named USER); 65532 is distroless' "nonroot", which many app images already use.
 */
export const APP_UID = 65532;

/** Pod-level hardening that satisfies Pod Security "restricted". */
export function podSecurityContext(uid: number, gid: number): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: gid, fsGroup: gid, seccompProfile: { type: "RuntimeDefault" } };
}

/** Container-level hardening: no privilege escalation, no capabilities, nothing written outside volumes. */
export function containerSecurityContext(): SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } };
}

export function serviceAccountManifest(spec: BlueGreenAppSpec): ServiceAccount {
  const { app } = spec;
  return {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: app.name, namespace: app.namespace, labels: appLabels(app.name, spec.environment) },
    // The app does not talk to the Kubernetes API; no token means nothing to steal from a compromised pod.
    automountServiceAccountToken: false,
  };
}

/**
 * The Secret of the app's secretEnv, without its data: the component fills `stringData` with the Pulumi
 * secret Outputs (this builder never sees a secret value). Undefined when the app reads no secret.
 */
export function secretManifest(spec: BlueGreenAppSpec): Secret | undefined {
  const { app } = spec;
  if (Object.keys(configSecretEnv(app)).length === 0) return undefined;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName(app.name), namespace: app.namespace, labels: appLabels(app.name, spec.environment) },
    type: "Opaque",
  };
}

function httpProbe(path: string, timing: Omit<Probe, "httpGet">): Probe {
  return { httpGet: { path, port: "http", scheme: "HTTP" }, ...timing };
}

/**
 * The container's environment, in a fixed order so a re-render changes nothing: the app's own variables
 * (sorted), then the ones the platform derives (telemetry, Sentry; sorted), then the secret ones (sorted).
 */
function environmentVariables(spec: BlueGreenAppSpec, plan: ColorPlan): EnvVar[] {
  const { app } = spec;
  const sorted = <T>(record: Record<string, T>) => Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
  const derived: Record<string, string> = telemetryEnvironment(spec, plan);
  if ("SENTRY_DSN" in app.secretEnv) {
    // Sentry groups events by environment and release; `<app>@<version>` is its package@version convention.
    const values: Record<(typeof SENTRY_PLATFORM_ENV)[number], string> = {
      SENTRY_ENVIRONMENT: spec.environment,
      SENTRY_RELEASE: `${app.name}@${plan.version}`,
    };
    Object.assign(derived, values);
  }
  const external = new Set(secretsManagerEnv(app).map(([name]) => name));
  return [
    ...sorted(app.env).map(([name, value]) => ({ name, value })),
    ...sorted(derived).map(([name, value]) => ({ name, value })),
    ...sorted(app.secretEnv).map(([name]) => ({
      name,
      valueFrom: { secretKeyRef: { name: external.has(name) ? externalSecretName(app.name) : secretName(app.name), key: name } },
    })),
  ];
}

/** The app's writable /tmp (its root filesystem is read-only). */
const APP_TMP_SIZE = "256Mi";

/**
 * How long a terminating pod keeps serving before it gets SIGTERM. A pod's deletion and Envoy's last request to
 * it are not simultaneous: the EndpointSlice change goes to Envoy Gateway, which pushes the new endpoints to every
 * proxy over xDS. An app that stopped listening on SIGTERM answered the requests still on their way with
 * connection errors (503s at the edge) on every rollout, scale-down of the idle colour and node drain. The
 * kubelet sleeps itself (a preStop `sleep` action), so the image needs no shell.
 */
export const APP_DRAIN_SECONDS = 10;

/** What the app has after SIGTERM to finish its requests and exit: the kubelet's default grace period. */
export const APP_SHUTDOWN_SECONDS = 30;

function appContainer(spec: BlueGreenAppSpec, plan: ColorPlan): Container {
  const { app } = spec;
  return {
    name: app.name,
    image: plan.image,
    imagePullPolicy: "IfNotPresent",
    ports: [{ name: "http", containerPort: app.port, protocol: "TCP" }],
    env: environmentVariables(spec, plan),
    resources: withEphemeralStorage({ requests: { ...app.resources.requests }, limits: { ...app.resources.limits } }, withVolumes(APP_TMP_SIZE)),
    // startup: up to 150 s to boot before liveness applies; readiness: out of rotation after 15 s of
    // failures; liveness: restart after 30 s of failures, slower than readiness so a busy pod is drained first.
    startupProbe: httpProbe(app.health.startup, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 30 }),
    readinessProbe: httpProbe(app.health.readiness, { periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 3 }),
    livenessProbe: httpProbe(app.health.liveness, { periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 }),
    lifecycle: { preStop: { sleep: { seconds: APP_DRAIN_SECONDS } } },
    securityContext: containerSecurityContext(),
    // A read-only root filesystem still leaves apps a scratch area.
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };
}

/** Production spreads each colour over zones; a zone loss then costs a third, not all, of a colour. */
function zoneSpread(app: string, color: Color): TopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: "topology.kubernetes.io/zone",
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: colorSelector(app, color) },
      // Count pods of the same rollout only, so a rolling update does not skew against its old ReplicaSet.
      matchLabelKeys: ["pod-template-hash"],
      // A tainted (e.g. NotReady) node's zone does not hold pods back from the healthy zones.
      nodeTaintsPolicy: "Honor",
    },
    {
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: colorSelector(app, color) },
      matchLabelKeys: ["pod-template-hash"],
    },
  ];
}

/**
 * One colour's Deployment. Nothing in it depends on which colour is active except `replicas` (the idle
 * colour keeps previewReplicas), so a promotion rolls no pod.
 */
export function deploymentManifest(spec: BlueGreenAppSpec, color: Color): Deployment {
  const { app } = spec;
  const plan = spec.colors[color];
  const labels = colorLabels(app.name, spec.environment, color, plan.version);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: colorDeploymentName(app.name, color), namespace: app.namespace, labels },
    spec: {
      ...(plan.replicas === undefined ? {} : { replicas: plan.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: colorSelector(app.name, color) },
      // A colour being updated never drops below its size: new pods first, old ones after they are ready.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: app.name,
          automountServiceAccountToken: false,
          // The grace period counts the preStop sleep too: the drain, then the app's own shutdown in full.
          terminationGracePeriodSeconds: APP_DRAIN_SECONDS + APP_SHUTDOWN_SECONDS,
          securityContext: podSecurityContext(APP_UID, APP_UID),
          ...(spec.environment === "production" ? { topologySpreadConstraints: zoneSpread(app.name, color) } : {}),
          containers: [appContainer(spec, plan)],
          volumes: [{ name: "tmp", emptyDir: { sizeLimit: APP_TMP_SIZE } }],
        },
      },
    },
  };
}

/**
 * Voluntary disruptions (node drains) take at most a quarter of a colour at once. A percentage rounds
 * up, so a single replica can still be drained: a budget that blocks drains forever would be worse.
 * It is sized by percent, not by the colour's replica count, so it does not change on promotion.
 */
export function podDisruptionBudgetManifest(spec: BlueGreenAppSpec, color: Color): PodDisruptionBudget {
  const { app } = spec;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: { name: `${app.name}-${color}`, namespace: app.namespace, labels: colorLabels(app.name, spec.environment, color) },
    spec: {
      maxUnavailable: "25%",
      selector: { matchLabels: colorSelector(app.name, color) },
      // A crash-looping pod must not block a drain: it serves nothing anyway.
      unhealthyPodEvictionPolicy: "AlwaysAllow",
    },
  };
}

/**
 * With hpa, one HorizontalPodAutoscaler per colour owns that colour's replica count: the active one
 * scales between hpa.min and hpa.max, the idle one is pinned to previewReplicas. A single HPA that moved
 * with activeColor would leave the outgoing colour at whatever size the HPA last chose.
 */
export function horizontalPodAutoscalerManifest(spec: BlueGreenAppSpec, color: Color): HorizontalPodAutoscaler | undefined {
  const { app } = spec;
  const range = spec.colors[color].autoscaling;
  if (!range) return undefined;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: `${app.name}-${color}`, namespace: app.namespace, labels: colorLabels(app.name, spec.environment, color) },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: colorDeploymentName(app.name, color) },
      minReplicas: range.min,
      maxReplicas: range.max,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: range.targetCpuPercent } } }],
    },
  };
}
