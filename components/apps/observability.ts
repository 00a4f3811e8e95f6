import { PROBE_INTERVALS } from "../core/probe-intervals";
import type { ProbeTarget } from "../monitoring/blackbox";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import type { BlueGreenAppSpec } from "./app-spec";
import { APP_LABEL, appLabels } from "./labels";
import { serviceName, serviceUrl } from "./services";

/** Path every app serves Prometheus metrics on. */
export const METRICS_PATH = "/metrics";
export const PROBE_INTERVAL = PROBE_INTERVALS.inCluster;

/** Prometheus' name for a Kubernetes label in service discovery meta labels. */
const meta = (kind: "pod" | "service", label: string) => `__meta_kubernetes_${kind}_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/**
 * Scrapes the app through its active and preview Services (never the colour Services, or each pod would
 * be scraped twice). Every series gets the labels the platform's alert rules group by
 * (components/metrics BLUE_GREEN_SERIES_LABELS):
 * - service: the app's name through both Services (the operator's default would be `api-preview`), so
 *   `up` and the app's own series agree; honorLabels keeps a `service` label the app sets itself, which
 *   the metrics contract says is the app's name too;
 * - role: active | preview, from the Service the pod is reached through, so it flips with a promotion;
 * - color and version, from the pod.
 */
export function serviceMonitorManifest(spec: BlueGreenAppSpec) {
  const { app } = spec;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: { name: app.name, namespace: app.namespace, labels: { ...appLabels(app.name, spec.environment), ...PROMETHEUS_SELECTOR_LABELS } },
    spec: {
      jobLabel: APP_LABEL.name,
      namespaceSelector: { matchNames: [app.namespace] },
      selector: {
        matchLabels: { [APP_LABEL.name]: app.name },
        matchExpressions: [{ key: APP_LABEL.role, operator: "In", values: ["active", "preview"] }],
      },
      endpoints: [
        {
          port: "http",
          path: METRICS_PATH,
          scheme: "http",
          honorLabels: true,
          relabelings: [
            { action: "replace", sourceLabels: [meta("service", APP_LABEL.name)], targetLabel: "service" },
            { action: "replace", sourceLabels: [meta("service", APP_LABEL.role)], targetLabel: "role" },
            { action: "replace", sourceLabels: [meta("pod", APP_LABEL.color)], targetLabel: "color" },
            { action: "replace", sourceLabels: [meta("pod", APP_LABEL.version)], targetLabel: "version" },
          ],
        },
      ],
    },
  };
}

/** A blackbox probe of the readiness URL behind the active Service: what users reach, whichever colour serves. */
export function activeProbeTarget(spec: BlueGreenAppSpec): ProbeTarget {
  const { app } = spec;
  return {
    name: `${app.name}-active`,
    namespace: app.namespace,
    module: "http_2xx",
    urls: [`${serviceUrl(spec, serviceName.active(app.name))}${app.health.readiness}`],
    labels: { service: app.name, role: "active" },
    interval: PROBE_INTERVAL,
  };
}
