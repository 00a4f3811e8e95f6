import { LIVE, rateRatio, sumRate } from "./promql";
import type { RecordingRule } from "./types";

/**
 * Per-service HTTP aggregates, recorded once per evaluation instead of being recomputed by every alert
 * and dashboard panel. Names follow `level:metric:operations`, the level naming the labels kept:
 * `namespace` and `service`, so alerts on them group and inhibit per service like every other alert.
 * Only live traffic counts (see LIVE): a preview version has its own blue-green alerts.
 */
export const HTTP_RECORDS = {
  requestRate: "namespace_service:http_requests:rate5m",
  errorRate: "namespace_service:http_request_errors:rate5m",
  errorRatio: "namespace_service:http_request_errors:ratio_rate5m",
  latencyP50: "namespace_service:http_request_duration_seconds:p50_5m",
  latencyP95: "namespace_service:http_request_duration_seconds:p95_5m",
  latencyP99: "namespace_service:http_request_duration_seconds:p99_5m",
} as const;

const BY = ["namespace", "service"];
const SERVER_ERROR = `status=~"5.."`;

const latency = (q: number) => `histogram_quantile(${q}, ${sumRate("http_request_duration_seconds_bucket", [...BY, "le"], "5m", LIVE)})`;

export function httpRecordingRules(): { readonly name: string; readonly rules: readonly RecordingRule[] } {
  return {
    name: "platform-http-recording",
    rules: [
      { record: HTTP_RECORDS.requestRate, expr: sumRate("http_requests_total", BY, "5m", LIVE) },
      { record: HTTP_RECORDS.errorRate, expr: sumRate("http_requests_total", BY, "5m", LIVE, SERVER_ERROR) },
      { record: HTTP_RECORDS.errorRatio, expr: rateRatio("http_requests_total", SERVER_ERROR, BY, "5m", LIVE) },
      { record: HTTP_RECORDS.latencyP50, expr: latency(0.5) },
      { record: HTTP_RECORDS.latencyP95, expr: latency(0.95) },
      { record: HTTP_RECORDS.latencyP99, expr: latency(0.99) },
    ],
  };
}
