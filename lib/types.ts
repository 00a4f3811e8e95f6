/**
 * The closed sets of words the public components take. Each is an `as const` object with a type of the same
 * name: TypeScript callers write the plain string ("production"), and the component package's schema turns
 * each into an enum other languages see with its members.
 */

/** Environment of the stack the component belongs to; production is the stricter one (warm idle colour, zone spread, protection). */
export const Environment = {
  /** Pre-production: the idle colour scales to zero, nothing is protected. */
  Staging: "staging",
  /** Production: the idle colour stays warm, pods spread over zones, data-holding namespaces are protected. */
  Production: "production",
} as const;
export type Environment = (typeof Environment)[keyof typeof Environment];

/** A colour of a blue-green app. */
export const Color = {
  Blue: "blue",
  Green: "green",
} as const;
export type Color = (typeof Color)[keyof typeof Color];

/** Log level an app runs with (its LOG_LEVEL variable). */
export const LogLevel = {
  Debug: "DEBUG",
  Info: "INFO",
  Warning: "WARNING",
  Error: "ERROR",
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** OTLP transport of an app's OpenTelemetry SDK (OTEL_EXPORTER_OTLP_PROTOCOL). */
export const OtlpProtocol = {
  /** http/protobuf to port 4318, the OpenTelemetry default. */
  HttpProtobuf: "http/protobuf",
  /** gRPC to port 4317. */
  Grpc: "grpc",
} as const;
export type OtlpProtocol = (typeof OtlpProtocol)[keyof typeof OtlpProtocol];

/** Pod Security Admission level a namespace enforces. */
export const PodSecurityLevel = {
  Privileged: "privileged",
  Baseline: "baseline",
  Restricted: "restricted",
} as const;
export type PodSecurityLevel = (typeof PodSecurityLevel)[keyof typeof PodSecurityLevel];

/** Period a service-level objective holds over. */
export const SloWindow = {
  Days28: "28d",
  Days30: "30d",
} as const;
export type SloWindow = (typeof SloWindow)[keyof typeof SloWindow];

/** A CPU and memory amount, as Kubernetes quantities. */
export interface CpuMemory {
  /** CPU, a Kubernetes quantity such as 250m or 2. */
  cpu: string;
  /** Memory, a Kubernetes quantity such as 512Mi or 4Gi. */
  memory: string;
}
