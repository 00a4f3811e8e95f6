import {
  type AppSettings,
  type Color,
  COLORS,
  type ImageReference,
  type LogLevel,
  otherColor,
  type OtlpProtocol,
  parseImageReference,
} from "../../stacks/apps-schema";

export type Environment = "staging" | "production";

/** Argo Rollouts' default for scaleDownDelaySeconds: long enough for kube-proxy to drop the old endpoints. */
export const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/** The stack-wide telemetry settings an app inherits unless it sets its own. */
export interface StackTelemetry {
  /** The stack's logLevel. */
  readonly logLevel: LogLevel;
  /** The stack's traceSamplingPercent. */
  readonly traceSamplingPercent: number;
  /** The stack's nodeAgentsNamespace: Alloy, which receives every app's spans, runs there. */
  readonly nodeAgentsNamespace: string;
}

/** An app's tracing with the stack's defaults applied. */
export interface ResolvedTracing {
  readonly enabled: boolean;
  /** Percent of new traces sampled; meaningless (and 0) when tracing is off. */
  readonly samplingPercent: number;
  readonly protocol: OtlpProtocol;
  /** Namespace of the trace collector the spans go to (Alloy, in the node agents' namespace). */
  readonly collectorNamespace: string;
}

/** What one colour runs and how many replicas it keeps, given which colour is active. */
export interface ColorPlan {
  readonly color: Color;
  readonly role: "active" | "idle";
  readonly image: string;
  readonly imageRef: ImageReference;
  /** `app.kubernetes.io/version` and Sentry's release: the tag, else the digest's first 12 hex digits. */
  readonly version: string;
  /**
   * Replicas Pulumi sets on the Deployment; undefined when the app has an HPA, which then owns the count
   * (a Deployment that also sets replicas fights the HPA under server-side apply).
   */
  readonly replicas: number | undefined;
  /** The colour's HorizontalPodAutoscaler range, with hpa only: the app's range when active, pinned to previewReplicas when idle. */
  readonly autoscaling: { readonly min: number; readonly max: number; readonly targetCpuPercent: number } | undefined;
  /**
   * True for the idle colour when it keeps fewer replicas than it may have had while active: it must
   * shrink only after the active Service has moved away from it (and after scaleDownDelaySeconds).
   */
  readonly shrinksAfterSwitch: boolean;
}

/**
 * One app with every default resolved: the single place where environment-dependent defaults live.
 * - previewReplicas: production keeps the idle colour warm at `replicas`, so a rollback needs no scale-up;
 *   staging scales it to zero (to one with an HPA, which cannot scale to zero).
 * - scaleDownDelaySeconds: 30, Argo Rollouts' default.
 * - logLevel and tracing.samplingPercent: the stack's logLevel and traceSamplingPercent.
 */
export interface BlueGreenAppSpec {
  readonly app: AppSettings;
  readonly environment: Environment;
  /** Namespace of Prometheus and the blackbox exporter. */
  readonly monitoringNamespace: string;
  readonly activeColor: Color;
  readonly idleColor: Color;
  readonly previewReplicas: number;
  readonly scaleDownDelaySeconds: number;
  readonly colors: Readonly<Record<Color, ColorPlan>>;
  /** Whether a scale-down-delay Job runs after the switch (the idle colour shrinks and the delay is not 0). */
  readonly scaleDownDelayJob: boolean;
  /** LOG_LEVEL: the app's own, else the stack's. */
  readonly logLevel: LogLevel;
  readonly tracing: ResolvedTracing;
}

function imageVersion(ref: ImageReference): string {
  return ref.tag ?? `sha256-${ref.digest!.slice("sha256:".length, "sha256:".length + 12)}`;
}

export function defaultPreviewReplicas(app: AppSettings, environment: Environment): number {
  if (environment === "production") return app.replicas;
  return app.hpa ? 1 : 0;
}

export function resolveAppSpec(app: AppSettings, environment: Environment, monitoringNamespace: string, telemetry: StackTelemetry): BlueGreenAppSpec {
  const activeColor = app.activeColor;
  const idleColor = otherColor(activeColor);
  const previewReplicas = app.previewReplicas ?? defaultPreviewReplicas(app, environment);
  const scaleDownDelaySeconds = app.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS;
  // With an HPA the outgoing colour may sit anywhere up to hpa.max; without, it ran `replicas`.
  const largestActive = app.hpa ? app.hpa.max : app.replicas;
  const idleShrinks = previewReplicas < largestActive;

  const plan = (color: Color): ColorPlan => {
    const role = color === activeColor ? "active" : "idle";
    const image = app.images[color];
    const imageRef = parseImageReference(image);
    if (!imageRef) throw new Error(`apps: "${app.name}" image ${image} was not validated (parse platform:apps with AppsSchema first)`);
    const autoscaling = app.hpa
      ? role === "active"
        ? { min: app.hpa.min, max: app.hpa.max, targetCpuPercent: app.hpa.targetCpuPercent }
        : { min: previewReplicas, max: previewReplicas, targetCpuPercent: app.hpa.targetCpuPercent }
      : undefined;
    return {
      color,
      role,
      image,
      imageRef,
      version: imageVersion(imageRef),
      replicas: app.hpa ? undefined : role === "active" ? app.replicas : previewReplicas,
      autoscaling,
      shrinksAfterSwitch: role === "idle" && idleShrinks,
    };
  };

  const colors = Object.fromEntries(COLORS.map((c) => [c, plan(c)])) as Record<Color, ColorPlan>;
  return {
    app,
    environment,
    monitoringNamespace,
    activeColor,
    idleColor,
    previewReplicas,
    scaleDownDelaySeconds,
    colors,
    scaleDownDelayJob: idleShrinks && scaleDownDelaySeconds > 0,
    logLevel: app.logLevel ?? telemetry.logLevel,
    tracing: {
      enabled: app.tracing.enabled,
      samplingPercent: app.tracing.enabled ? (app.tracing.samplingPercent ?? telemetry.traceSamplingPercent) : 0,
      protocol: app.tracing.protocol,
      collectorNamespace: telemetry.nodeAgentsNamespace,
    },
  };
}
