import type { z } from "zod";
import type { AlertThresholdsSchema } from "../stacks/alert-thresholds-schema";
import type { SameShape } from "./args-error";

// The shape of a stack file's alertThresholds, written out as interfaces so that the component package's
// schema can list every threshold with its type and description (the schema analyzer reads declared
// interfaces, not types inferred from zod). Values are validated with the stack schema itself
// (AlertThresholdsSchema); the check at the end of the file fails compilation when the two disagree.
// Ratios are shares between 0 and 1 (0.05 means 5 %); durations are Prometheus durations (30s, 5m, 12h, 30d).

/** HTTP services' thresholds (http_requests_total, http_request_duration_seconds). */
export interface HttpThresholds {
  /** Share of 5xx responses per service above which HighErrorRate fires (a ratio between 0 and 1). */
  errorRatio: number;
  /** How long the error ratio must stay above errorRatio before the alert fires (Prometheus duration). */
  errorFor: string;
  /** Requests per second below which an error ratio does not page but opens a ticket (HttpHighErrorRateLowTraffic); SLO pages too. */
  minRequestsPerSecond: number;
  /** 95th percentile of request latency, seconds, above which the latency alert fires. */
  p95LatencySeconds: number;
  /** How long the 95th percentile must stay above p95LatencySeconds (Prometheus duration). */
  latencyFor: string;
  /** Requests per second per service that count as unusually high traffic. */
  requestsPerSecond: number;
  /** How long the request rate must stay above requestsPerSecond (Prometheus duration). */
  requestRateFor: string;
}

/** Authentication's thresholds (logins and their failures). */
export interface AuthThresholds {
  /** Share of failed logins above which the alert fires (a ratio between 0 and 1). */
  failureRatio: number;
  /** How long the failure ratio must stay above failureRatio (Prometheus duration). */
  failureFor: string;
  /** Failed logins per second per service that look like password guessing. */
  bruteForceFailuresPerSecond: number;
  /** How long failed logins must stay above bruteForceFailuresPerSecond (Prometheus duration). */
  bruteForceFor: string;
  /** 95th percentile of login latency, seconds, above which the alert fires. */
  p95LoginSeconds: number;
  /** How long login latency must stay above p95LoginSeconds (Prometheus duration). */
  loginLatencyFor: string;
}

/** Rate limiting's thresholds. */
export interface RateLimitThresholds {
  /** Requests per second a service rejects for exceeding a rate limit above which the alert fires. */
  exceededPerSecond: number;
  /** How long refusals must stay above exceededPerSecond (Prometheus duration). */
  exceededFor: string;
}

/** Database clients' thresholds (connection pools and queries, as the apps report them). */
export interface DatabaseThresholds {
  /** Active connections over the pool's maximum, on the busiest pod, above which the alert fires (a ratio between 0 and 1). */
  poolUsageRatio: number;
  /** How long pool usage must stay above poolUsageRatio (Prometheus duration). */
  poolFor: string;
  /** 95th percentile of query duration, seconds, above which the slow-query alert fires. */
  p95QuerySeconds: number;
  /** How long queries must stay slower than p95QuerySeconds (Prometheus duration). */
  slowQueryFor: string;
  /** Share of failed queries above which the alert fires (a ratio between 0 and 1). */
  errorRatio: number;
  /** How long the query error ratio must stay above errorRatio (Prometheus duration). */
  errorFor: string;
  /** Queries per second below which the error ratio does not page, like http.minRequestsPerSecond. */
  minQueriesPerSecond: number;
}

/** Data pipelines' thresholds (pipeline runs). */
export interface PipelineThresholds {
  /** Share of failed pipeline runs above which the alert fires (a ratio between 0 and 1). */
  failureRatio: number;
  /** How long the failure ratio must stay above failureRatio (Prometheus duration). */
  failureFor: string;
  /** 95th percentile of a pipeline run's duration, seconds, above which the alert fires. */
  p95DurationSeconds: number;
  /** How long runs must stay slower than p95DurationSeconds (Prometheus duration). */
  durationFor: string;
}

/** Connectors' thresholds (calls to external systems). */
export interface ConnectorThresholds {
  /** Share of failed connector calls above which the alert fires (a ratio between 0 and 1). */
  failureRatio: number;
  /** How long the failure ratio must stay above failureRatio (Prometheus duration). */
  failureFor: string;
  /** 95th percentile of a connector's response time, seconds, above which the alert fires. */
  p95ResponseSeconds: number;
  /** How long responses must stay slower than p95ResponseSeconds (Prometheus duration). */
  responseFor: string;
}

/** Transformations' thresholds (transformation runs). */
export interface TransformationThresholds {
  /** Share of failed transformations above which the alert fires (a ratio between 0 and 1). */
  failureRatio: number;
  /** How long the failure ratio must stay above failureRatio (Prometheus duration). */
  failureFor: string;
  /** 95th percentile of a transformation's duration, seconds, above which the alert fires. */
  p95DurationSeconds: number;
  /** How long transformations must stay slower than p95DurationSeconds (Prometheus duration). */
  durationFor: string;
}

/** File uploads' thresholds (upload processing). */
export interface FileUploadThresholds {
  /** Share of failed uploads above which the alert fires (a ratio between 0 and 1). */
  failureRatio: number;
  /** How long the failure ratio must stay above failureRatio (Prometheus duration). */
  failureFor: string;
  /** 95th percentile of an upload's processing time, seconds, above which the alert fires. */
  p95ProcessingSeconds: number;
  /** How long processing must stay slower than p95ProcessingSeconds (Prometheus duration). */
  processingFor: string;
}

/** WebSocket connections' thresholds. */
export interface WebsocketThresholds {
  /** WebSocket errors per second above which the alert fires. */
  errorsPerSecond: number;
  /** How long errors must stay above errorsPerSecond (Prometheus duration). */
  errorFor: string;
}

/** Caches' thresholds. */
export interface CacheThresholds {
  /** Share of cache lookups that hit below which the alert fires (a ratio between 0 and 1). */
  minHitRatio: number;
  /** How long the hit ratio must stay below minHitRatio (Prometheus duration). */
  hitRatioFor: string;
}

/** Nodes' thresholds; each warning level must be below its critical level. */
export interface NodeThresholds {
  /** Share of CPU time outside idle that opens a ticket; no critical level: a busy CPU is a cause, what users feel pages instead. */
  cpuWarningRatio: number;
  /** How long CPU usage must stay above cpuWarningRatio (Prometheus duration). */
  cpuFor: string;
  /** Share of memory in use that opens a ticket; below memoryCriticalRatio. */
  memoryWarningRatio: number;
  /** Share of memory in use that pages. */
  memoryCriticalRatio: number;
  /** How long memory usage must stay above a level (Prometheus duration). */
  memoryFor: string;
  /** Share of a filesystem in use that opens a ticket; below diskCriticalRatio. */
  diskWarningRatio: number;
  /** Share of a filesystem in use that pages. */
  diskCriticalRatio: number;
  /** How long disk usage must stay above a level (Prometheus duration). */
  diskFor: string;
}

/** Workloads' thresholds (pods, Deployments, Jobs, containers). */
export interface WorkloadThresholds {
  /** How long a container may restart in a loop before the alert fires (Prometheus duration). */
  crashLoopFor: string;
  /** How long a workload may run fewer ready replicas than it wants (Prometheus duration). */
  replicasMismatchFor: string;
  /** How long a failed Job stays failed before JobFailed opens a ticket (Prometheus duration). */
  jobFailedFor: string;
  /** How long a container's last termination must stay OOMKilled (while it restarts) before ContainerOOMKilled fires (Prometheus duration). */
  oomKilledFor: string;
  /** Working set over the container's memory limit above which the alert fires (a ratio between 0 and 1). */
  memoryLimitRatio: number;
  /** How long the working set must stay above memoryLimitRatio (Prometheus duration). */
  memoryLimitFor: string;
  /** Share of CFS periods in which the container was throttled above which the alert fires (a ratio between 0 and 1). */
  cpuThrottlingRatio: number;
  /** How long throttling must stay above cpuThrottlingRatio (Prometheus duration). */
  cpuThrottlingFor: string;
}

/** Availability's thresholds (scrape targets, blackbox probes, certificates). */
export interface AvailabilityThresholds {
  /** How long every target of a job, or a blackbox probe, may fail before the service counts as down (Prometheus duration). */
  downFor: string;
  /** Remaining certificate lifetime that opens a ticket (Prometheus duration). */
  certificateWarning: string;
  /** Remaining certificate lifetime that pages; shorter than certificateWarning (Prometheus duration). */
  certificateCritical: string;
  /** How long a certificate must stay below a lifetime level (Prometheus duration). */
  certificateFor: string;
  /** Window over which a target's availability is measured: a target that keeps dropping out never stays down for downFor (Prometheus duration). */
  availabilityWindow: string;
  /** Share of the window a target must be up; below it, with repeated outages, the availability alerts fire (a ratio between 0 and 1). */
  minAvailabilityRatio: number;
  /** How long availability must stay below minAvailabilityRatio (Prometheus duration). */
  availabilityFor: string;
}

/** Prometheus' own thresholds. */
export interface PrometheusThresholds {
  /** How long a job's targets may fail to scrape before the alert fires (Prometheus duration). */
  scrapeFailureFor: string;
  /** How long rule evaluation may take longer than its interval (Prometheus duration). */
  ruleEvaluationSlowFor: string;
  /** How long rule evaluations may keep failing (Prometheus duration). */
  ruleFailuresFor: string;
}

/** Database backups' thresholds (the metrics DatabaseBackups' jobs push). */
export interface BackupThresholds {
  /** Longest time without a successful backup (Prometheus duration): at least the backup schedule's longest gap + 1h the CronJob may start late + the backup run deadline, 29h for a daily schedule and the default 4h, or a late but healthy retry pages. */
  maxAge: string;
  /** How long the newest backup may stay older than maxAge before the alert fires (Prometheus duration). */
  tooOldFor: string;
  /** How long a failed backup, a failed drill or a backup that pushed no metrics may last before its alert fires (Prometheus duration). */
  failedFor: string;
  /** Longest time without a passing restore drill (Prometheus duration). */
  restoreDrillMaxAge: string;
}

/** Blue-green apps' thresholds (the idle colour behind the preview Service). */
export interface BlueGreenThresholds {
  /** Share of 5xx responses of the preview above which the alert fires (a ratio between 0 and 1). */
  previewErrorRatio: number;
  /** How long the preview's error ratio must stay above previewErrorRatio (Prometheus duration). */
  previewErrorFor: string;
  /** How long the preview may have no ready pod (Prometheus duration). */
  previewNotReadyFor: string;
}

/** Tracing's thresholds (Alloy and Tempo). */
export interface TracingThresholds {
  /** Share of spans the collector or the trace store refuses, drops or discards above which the alert fires (a ratio between 0 and 1). */
  spanLossRatio: number;
  /** How long span loss must stay above spanLossRatio (Prometheus duration). */
  spanLossFor: string;
  /** How long the trace store may keep failing to write blocks to its storage (Prometheus duration). */
  storeFlushFailingFor: string;
}

/** The log pipeline's thresholds (Alloy delivering to Loki). */
export interface LogThresholds {
  /** How long the log collector must keep dropping entries before LogEntriesDropped fires, and the window the drops are counted over (Prometheus duration). */
  droppedEntriesFor: string;
}

/** The `for` windows of the apps' SLO burn-rate alerts (the burn rates themselves are the SRE workbook's). */
export interface SloThresholds {
  /** `for` of the fast-burn alerts that page (Prometheus duration). */
  pageFor: string;
  /** `for` of the slow-burn alerts that open a ticket (Prometheus duration). */
  ticketFor: string;
}

/** Every threshold and `for` window the platform's alert rules and dashboards use, in the shape of a stack file's alertThresholds. */
export interface AlertThresholds {
  /** HTTP services: error ratio, latency and request rate. */
  http: HttpThresholds;
  /** Authentication: failed logins, password guessing and login latency. */
  auth: AuthThresholds;
  /** Rate limiting: refused requests. */
  rateLimit: RateLimitThresholds;
  /** Database clients: pool usage, slow queries and query errors. */
  database: DatabaseThresholds;
  /** Data pipelines: failed and slow runs. */
  pipelines: PipelineThresholds;
  /** Connectors: failed and slow calls. */
  connectors: ConnectorThresholds;
  /** Transformations: failed and slow runs. */
  transformations: TransformationThresholds;
  /** File uploads: failed and slow processing. */
  fileUploads: FileUploadThresholds;
  /** WebSocket connections: errors. */
  websockets: WebsocketThresholds;
  /** Caches: hit ratio. */
  cache: CacheThresholds;
  /** Nodes: CPU, memory and disk. */
  nodes: NodeThresholds;
  /** Workloads: crash loops, missing replicas, failed Jobs, OOM kills, memory limits and CPU throttling. */
  workloads: WorkloadThresholds;
  /** Availability: down services, flapping targets and expiring certificates. */
  availability: AvailabilityThresholds;
  /** Prometheus itself: scrape failures and rule evaluation. */
  prometheus: PrometheusThresholds;
  /** Database backups and restore drills. */
  backups: BackupThresholds;
  /** Blue-green apps' previews. */
  blueGreen: BlueGreenThresholds;
  /** Tracing: span loss and the trace store's writes. */
  tracing: TracingThresholds;
  /** Logs: entries the collector drops. */
  logs: LogThresholds;
  /** The SLO burn-rate alerts' `for` windows. */
  slo: SloThresholds;
}

const sameAsTheStackSchema: SameShape<AlertThresholds, z.output<typeof AlertThresholdsSchema>> = true;
void sameAsTheStackSchema;
