import { nodeAgentUrls } from "../monitoring/monitoring-input";
import type { BlueGreenAppSpec, ColorPlan } from "./app-spec";

/** Resource attribute that carries the colour; OpenTelemetry's semantic conventions have no key for it. */
export const COLOR_RESOURCE_ATTRIBUTE = "deployment.color";

/** The sampler every app runs: a new trace is kept at the ratio, a request inside a trace follows its caller's decision. */
export const TRACES_SAMPLER = "parentbased_traceidratio";

/** OTEL_TRACES_SAMPLER_ARG for a percentage: the ratio as a plain decimal (10 → "0.1"). */
export function samplerArgument(percent: number): string {
  return String(percent / 100);
}

/**
 * OTEL_RESOURCE_ATTRIBUTES of one colour: the environment, colour and image version that tell two
 * versions of the app apart in a trace, plus where it runs. Every value is a DNS label or a version tag,
 * so nothing needs the W3C Baggage percent-encoding the variable's grammar would otherwise ask for.
 */
export function resourceAttributes(spec: BlueGreenAppSpec, plan: ColorPlan): string {
  const { app } = spec;
  const attributes: [string, string][] = [
    ["deployment.environment.name", spec.environment],
    [COLOR_RESOURCE_ATTRIBUTE, plan.color],
    ["service.version", plan.version],
    ["k8s.namespace.name", app.namespace],
    ["k8s.deployment.name", `${app.name}-${plan.color}`],
  ];
  return attributes.map(([key, value]) => `${key}=${value}`).join(",");
}

/**
 * The standard OpenTelemetry SDK variables and LOG_LEVEL for one colour, by name. An SDK configured from
 * the environment alone (the Node, Java, Python and Go SDKs all read these) exports to Alloy in the
 * node agents' namespace with the stack's sampling. With tracing off, OTEL_TRACES_EXPORTER=none keeps the
 * SDK from exporting anywhere (its default would be localhost:4318) while spans can still carry context.
 * Metrics and logs stay off OTLP in every case (the SDKs' default would push both): Prometheus scrapes
 * the apps' /metrics and Alloy reads their stdout, and Alloy's OTLP receiver takes traces only.
 */
export function telemetryEnvironment(spec: BlueGreenAppSpec, plan: ColorPlan): Record<string, string> {
  const { app, tracing } = spec;
  const common = {
    LOG_LEVEL: spec.logLevel,
    OTEL_SERVICE_NAME: app.name,
    OTEL_RESOURCE_ATTRIBUTES: resourceAttributes(spec, plan),
    OTEL_METRICS_EXPORTER: "none",
    OTEL_LOGS_EXPORTER: "none",
  };
  if (!tracing.enabled) return { ...common, OTEL_TRACES_EXPORTER: "none" };
  const urls = nodeAgentUrls(tracing.collectorNamespace);
  return {
    ...common,
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_ENDPOINT: tracing.protocol === "grpc" ? urls.otlpGrpc : urls.otlpHttp,
    OTEL_EXPORTER_OTLP_PROTOCOL: tracing.protocol,
    OTEL_TRACES_SAMPLER: TRACES_SAMPLER,
    OTEL_TRACES_SAMPLER_ARG: samplerArgument(tracing.samplingPercent),
  };
}
