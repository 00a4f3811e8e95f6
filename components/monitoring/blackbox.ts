import type { ResourceSettings } from "../../stacks/schema";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";
import { type MonitoringInput, monitoringUrls } from "./monitoring-input";
import { withEphemeralStorage } from "../core/ephemeral-storage";
import { spreadOverNodes } from "../core/node-spread";
import { spreadOverZones } from "../core/zone-spread";
import { chartPodUserAndGroup } from "../core/chart-pod-user";

/** Blackbox modules other components may probe with. */
export const BLACKBOX_MODULES = ["http_2xx", "http_post_2xx", "https_2xx", "https_2xx_untrusted_ca", "api_health", "tcp_connect", "dns"] as const;
export type BlackboxModule = (typeof BLACKBOX_MODULES)[number];

/** blackbox_exporter module configuration (its own YAML config, embedded in the chart's values). */
export function blackboxModules(): Record<BlackboxModule, unknown> {
  const http = { preferred_ip_protocol: "ip4", follow_redirects: true, valid_status_codes: [] as number[] };
  return {
    http_2xx: { prober: "http", timeout: "5s", http: { ...http, method: "GET" } },
    http_post_2xx: { prober: "http", timeout: "5s", http: { ...http, method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" } },
    // Certificate validation stays on (no insecure_skip_verify) so probe_ssl_earliest_cert_expiry is trustworthy.
    https_2xx: { prober: "http", timeout: "5s", http: { ...http, method: "GET", fail_if_not_ssl: true, tls_config: { insecure_skip_verify: false } } },
    // For certificates of a CA no trust store holds (Let's Encrypt's staging CA): TLS is still required and
    // probe_ssl_earliest_cert_expiry still reports the served certificate, so expiry alerts keep working.
    https_2xx_untrusted_ca: { prober: "http", timeout: "5s", http: { ...http, method: "GET", fail_if_not_ssl: true, tls_config: { insecure_skip_verify: true } } },
    api_health: {
      prober: "http",
      timeout: "5s",
      http: {
        ...http,
        method: "GET",
        headers: { Accept: "application/json" },
        fail_if_body_not_matches_regexp: ['"status"\\s*:\\s*"(ok|healthy|pass)"'],
      },
    },
    tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
    dns: { prober: "dns", timeout: "5s", dns: { preferred_ip_protocol: "ip4", query_name: "kubernetes.default.svc.cluster.local", query_type: "A" } },
  };
}

/** The subset of prometheus-blackbox-exporter 11.x values the platform sets. */
export interface BlackboxValues {
  replicas: number;
  config: { modules: Record<BlackboxModule, unknown> };
  resources: ResourceSettings;
  serviceMonitor: { selfMonitor: { enabled: boolean; labels: Record<string, string> } };
  podDisruptionBudget: { maxUnavailable: number };
  podSecurityContext: { runAsNonRoot: true; seccompProfile: { type: "RuntimeDefault" } };
  securityContext: { runAsUser: number; runAsGroup: number };
  affinity: ReturnType<typeof spreadOverNodes>;
  topologySpreadConstraints: ReturnType<typeof spreadOverZones>;
}

const BLACKBOX_PODS = { "app.kubernetes.io/instance": "blackbox-exporter", "app.kubernetes.io/name": "prometheus-blackbox-exporter" } as const;

export function blackboxValues(input: MonitoringInput): BlackboxValues {
  return {
    replicas: input.monitoring.blackbox.replicas,
    config: { modules: blackboxModules() },
    resources: withEphemeralStorage(input.monitoring.blackbox.resources),
    serviceMonitor: { selfMonitor: { enabled: true, labels: { ...PROMETHEUS_SELECTOR_LABELS } } },
    // Drains take the replicas one at a time, so probes keep running (the chart ships no budget by default).
    podDisruptionBudget: { maxUnavailable: 1 },
    // The chart's container context is hardened but names no seccomp profile, which PSA restricted requires;
    // the pod's requires both for any container the chart adds without a context of its own.
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    // The image's own user, nobody, instead of the chart's 1000 (Helm merges the rest of its hardened context);
    // the exporter only reads its config (a ConfigMap volume), so no fsGroup.
    securityContext: chartPodUserAndGroup,
    affinity: spreadOverNodes(BLACKBOX_PODS),
    topologySpreadConstraints: spreadOverZones(BLACKBOX_PODS, "Deployment"),
  };
}

export interface ProbeTarget {
  /** Probe object name, unique in its namespace. */
  readonly name: string;
  readonly namespace: string;
  readonly module: BlackboxModule;
  readonly urls: readonly string[];
  /** Labels copied onto the probe's series, e.g. service and team for alert routing. */
  readonly labels: Readonly<Record<string, string>>;
  readonly interval: string;
}

/** A prometheus-operator Probe that makes Prometheus scrape the blackbox exporter for these targets. */
export function probeManifest(target: ProbeTarget, monitoringNamespace: string) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Probe",
    metadata: { name: target.name, namespace: target.namespace, labels: { ...PROMETHEUS_SELECTOR_LABELS } },
    spec: {
      jobName: target.name,
      interval: target.interval,
      module: target.module,
      prober: { url: monitoringUrls(monitoringNamespace).blackboxExporter, scheme: "http", path: "/probe" },
      targets: { staticConfig: { static: [...target.urls], labels: { ...target.labels } } },
    },
  };
}
