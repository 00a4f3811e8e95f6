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

/** TLS between a job or exporter and its PostgreSQL server (libpq's sslmode). */
export const SslMode = {
  /** No TLS. */
  Disable: "disable",
  /** TLS, without checking the server's certificate. */
  Require: "require",
  /** TLS, with the server's certificate checked against its CA and host name. */
  VerifyFull: "verify-full",
} as const;
export type SslMode = (typeof SslMode)[keyof typeof SslMode];

/** Kind of Kubernetes cluster the monitoring stack scrapes. */
export const ClusterFlavour = {
  /** Amazon EKS: the control plane is hidden and kube-proxy's metrics listen on localhost, so neither is scraped. */
  Eks: "eks",
  /** A cluster whose control plane components can be scraped. */
  SelfManaged: "self-managed",
} as const;
export type ClusterFlavour = (typeof ClusterFlavour)[keyof typeof ClusterFlavour];

/** Where Loki or Tempo keep their data. */
export const StorageBackend = {
  /** On the pod's PersistentVolume. */
  Filesystem: "filesystem",
  /** In an S3 bucket the component creates (pass an AWS provider and objectStorage). */
  S3: "s3",
} as const;
export type StorageBackend = (typeof StorageBackend)[keyof typeof StorageBackend];

/** A key of an existing Kubernetes Secret. */
export interface SecretKeyRef {
  /** Name of the Secret (a DNS label). */
  name: string;
  /** Key in the Secret's data. */
  key: string;
}

/** Requests and limits of a container. */
export interface ContainerResources {
  /** What the scheduler reserves. */
  requests: CpuMemory;
  /** The most the container may use. */
  limits: CpuMemory;
}

/** An objective on a share of requests. */
export interface SloObjective {
  /** Percent of requests, above 0 and below 100, e.g. 99.9. */
  objective: number;
}

/** A latency objective: a share of requests answered within a bound. */
export interface SloLatencyObjective {
  /** Percent of requests, above 0 and below 100, e.g. 99. */
  objective: number;
  /** A bucket bound of http_request_duration_seconds, seconds, e.g. 0.5. */
  thresholdSeconds: number;
}
