import { z } from "zod";
import { positiveDuration as duration } from "./duration-schema";
import { durationSeconds } from "./formats";

/**
 * `platform:alertThresholds`: every number and `for` window the platform's alert rules use, per stack.
 * The rule builders (components/alerting/rules) read nothing else, so one value feeds both a rule's
 * expression and the sentence in its description. Strict at every level: a misspelt key is an error,
 * not a silently ignored threshold.
 */

const ratio = z
  .number({ error: "must be a number between 0 and 1 (0.05 means 5 %)" })
  .min(0, { error: "must be a ratio between 0 and 1 (0.05 means 5 %)" })
  .max(1, { error: "must be a ratio between 0 and 1 (0.05 means 5 %)" });

const seconds = z.number({ error: "must be a number of seconds" }).positive({ error: "must be a positive number of seconds" });

const perSecond = z.number({ error: "must be a number of events per second" }).positive({ error: "must be a positive number of events per second" });

/** A warning level must trip before its critical level, or the warning never shows. */
function warningBelowCritical<T extends Record<string, unknown>>(warning: keyof T & string, critical: keyof T & string) {
  return (value: T, ctx: z.RefinementCtx) => {
    if ((value[warning] as number) >= (value[critical] as number)) {
      ctx.addIssue({ code: "custom", path: [warning], message: `must be below ${critical} (${String(value[critical])}), or the warning never fires before the critical alert` });
    }
  };
}

export const AlertThresholdsSchema = z.strictObject({
  http: z.strictObject({
    /** Share of 5xx responses per service. */
    errorRatio: ratio,
    errorFor: duration,
    /**
     * Requests per second below which an error ratio does not page (one failed request a minute is a
     * 100 % error ratio); below it, HttpHighErrorRateLowTraffic opens a ticket instead. SLO pages too.
     */
    minRequestsPerSecond: perSecond,
    /** 95th percentile of request latency. */
    p95LatencySeconds: seconds,
    latencyFor: duration,
    /** Requests per second per service that count as unusually high traffic. */
    requestsPerSecond: perSecond,
    requestRateFor: duration,
  }),
  auth: z.strictObject({
    failureRatio: ratio,
    failureFor: duration,
    /** Failed logins per second per service that look like password guessing. */
    bruteForceFailuresPerSecond: perSecond,
    bruteForceFor: duration,
    p95LoginSeconds: seconds,
    loginLatencyFor: duration,
  }),
  rateLimit: z.strictObject({ exceededPerSecond: perSecond, exceededFor: duration }),
  database: z.strictObject({
    /** Active connections over the pool's maximum, on the busiest pod. */
    poolUsageRatio: ratio,
    poolFor: duration,
    p95QuerySeconds: seconds,
    slowQueryFor: duration,
    errorRatio: ratio,
    errorFor: duration,
    /** Queries per second below which the error ratio does not page, like http.minRequestsPerSecond. */
    minQueriesPerSecond: perSecond,
  }),
  pipelines: z.strictObject({ failureRatio: ratio, failureFor: duration, p95DurationSeconds: seconds, durationFor: duration }),
  connectors: z.strictObject({ failureRatio: ratio, failureFor: duration, p95ResponseSeconds: seconds, responseFor: duration }),
  transformations: z.strictObject({ failureRatio: ratio, failureFor: duration, p95DurationSeconds: seconds, durationFor: duration }),
  fileUploads: z.strictObject({ failureRatio: ratio, failureFor: duration, p95ProcessingSeconds: seconds, processingFor: duration }),
  websockets: z.strictObject({ errorsPerSecond: perSecond, errorFor: duration }),
  cache: z.strictObject({ minHitRatio: ratio, hitRatioFor: duration }),
  nodes: z
    .strictObject({
      /**
       * Share of CPU time at work (neither idle nor I/O wait) that opens a ticket. There is no critical level: a busy CPU is a cause,
       * not a symptom; what users feel (latency, errors, SLO burn) pages instead.
       */
      cpuWarningRatio: ratio,
      cpuFor: duration,
      memoryWarningRatio: ratio,
      memoryCriticalRatio: ratio,
      memoryFor: duration,
      diskWarningRatio: ratio,
      diskCriticalRatio: ratio,
      diskFor: duration,
    })
    .superRefine(warningBelowCritical("memoryWarningRatio", "memoryCriticalRatio"))
    .superRefine(warningBelowCritical("diskWarningRatio", "diskCriticalRatio")),
  workloads: z.strictObject({
    crashLoopFor: duration,
    replicasMismatchFor: duration,
    /** How long a failed Job stays failed before JobFailed opens a ticket. */
    jobFailedFor: duration,
    oomKilledFor: duration,
    /** Working set over the container's memory limit. */
    memoryLimitRatio: ratio,
    memoryLimitFor: duration,
    /** Share of CFS periods in which the container was throttled. */
    cpuThrottlingRatio: ratio,
    cpuThrottlingFor: duration,
  }),
  availability: z
    .strictObject({
      /**
       * How long every target of a job, or a blackbox probe, may fail before the service counts as down
       * (ServiceDown, EndpointDown). EndpointDown never waits less than two runs of the slowest probe (2m with
       * the public hostnames' 60 s probes), so one failed probe does not page: production's 1m is 2m there.
       */
      downFor: duration,
      /** Remaining certificate lifetime that opens a ticket. */
      certificateWarning: duration,
      /** Remaining certificate lifetime that pages. */
      certificateCritical: duration,
      certificateFor: duration,
      /** Window over which a target's availability is measured: a target that keeps dropping out never stays down for downFor. */
      availabilityWindow: duration,
      /** Share of the window a target must be up; below it, with repeated outages, the availability alerts fire. */
      minAvailabilityRatio: ratio,
      availabilityFor: duration,
    })
    .superRefine((value, ctx) => {
      if ((durationSeconds(value.certificateCritical) ?? 0) >= (durationSeconds(value.certificateWarning) ?? 0)) {
        ctx.addIssue({
          code: "custom",
          path: ["certificateCritical"],
          message: `must be shorter than certificateWarning (${value.certificateWarning}), or the warning never fires before the critical alert`,
        });
      }
    }),
  prometheus: z.strictObject({ scrapeFailureFor: duration, ruleEvaluationSlowFor: duration, ruleFailuresFor: duration }),
  backups: z.strictObject({
    /**
     * Longest time without a successful backup. At least what a healthy backup may take to succeed again: the
     * backup schedule's longest gap + 1h the CronJob may start late + the longest backup.runDeadline (29h for a
     * daily schedule and the default 4h); the loader refuses less.
     */
    maxAge: duration,
    tooOldFor: duration,
    failedFor: duration,
    /** Longest time without a passing restore drill. */
    restoreDrillMaxAge: duration,
  }),
  blueGreen: z.strictObject({ previewErrorRatio: ratio, previewErrorFor: duration, previewNotReadyFor: duration }),
  tracing: z.strictObject({
    /** Share of spans the collector or the trace store refuses, drops or discards. */
    spanLossRatio: ratio,
    spanLossFor: duration,
    /** How long the trace store may keep failing to write blocks to its storage. */
    storeFlushFailingFor: duration,
  }),
  logs: z.strictObject({
    /**
     * How long the log collector must keep dropping entries before LogEntriesDropped fires, and the window the
     * drops are counted over: long enough that a Loki rollout, whose pushes Alloy retries, does not fire it.
     */
    droppedEntriesFor: duration,
  }),
  /** `for` of the burn-rate alerts of the apps' SLOs (the burn rates themselves are the SRE workbook's). */
  slo: z.strictObject({ pageFor: duration, ticketFor: duration }),
});

export type AlertThresholds = z.infer<typeof AlertThresholdsSchema>;
