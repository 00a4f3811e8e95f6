/**
 * Every Helm chart the platform installs, pinned to a version and repository; the plan renders each from
 * its archive charts/<chart>-<version>.tgz. To bump one: read the chart's changelog/UPGRADE notes between
 * the two versions, change the version here, run `npm run charts:refresh` (pulls the new archive, removes
 * the old), review `npm run plan -- --stack staging --diff origin/main` object by object, and roll staging
 * before production. kube-prometheus-stack majors also need their CRDs applied first (Helm does not
 * upgrade CRDs): see that chart's UPGRADE.md.
 */
export interface ChartRef {
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
}

export const CHARTS = {
  kubePrometheusStack: { chart: "kube-prometheus-stack", version: "88.5.3", repository: "https://prometheus-community.github.io/helm-charts" },
  // The loki chart moved to grafana-community on 2026-03-16; grafana/helm-charts now serves GEL only.
  loki: { chart: "loki", version: "18.11.0", repository: "https://grafana-community.github.io/helm-charts" },
  // Tempo single binary; the chart moved to grafana-community with Loki's (appVersion 2.10.8).
  tempo: { chart: "tempo", version: "2.2.4", repository: "https://grafana-community.github.io/helm-charts" },
  // Promtail reached end of life on 2026-03-02; Alloy is its successor and stays in the grafana repository.
  alloy: { chart: "alloy", version: "1.11.1", repository: "https://grafana.github.io/helm-charts" },
  blackboxExporter: { chart: "prometheus-blackbox-exporter", version: "11.17.2", repository: "https://prometheus-community.github.io/helm-charts" },
  postgresExporter: { chart: "prometheus-postgres-exporter", version: "8.2.0", repository: "https://prometheus-community.github.io/helm-charts" },
  redisExporter: { chart: "prometheus-redis-exporter", version: "6.29.0", repository: "https://prometheus-community.github.io/helm-charts" },
  pushgateway: { chart: "prometheus-pushgateway", version: "3.8.0", repository: "https://prometheus-community.github.io/helm-charts" },
  // The way in (issue #13). Envoy Gateway publishes its chart to an OCI registry only.
  envoyGateway: { chart: "gateway-helm", version: "v1.9.0", repository: "oci://docker.io/envoyproxy" },
  certManager: { chart: "cert-manager", version: "v1.21.1", repository: "https://charts.jetstack.io" },
  externalDns: { chart: "external-dns", version: "1.21.1", repository: "https://kubernetes-sigs.github.io/external-dns/" },
  externalSecrets: { chart: "external-secrets", version: "2.9.0", repository: "https://charts.external-secrets.io" },
  reloader: { chart: "reloader", version: "2.2.16", repository: "https://stakater.github.io/stakater-charts" },
} as const satisfies Record<string, ChartRef>;

/** Release names, fixed so Service names (and the URLs other components build from them) are stable. */
export const RELEASES = {
  kubePrometheusStack: "kube-prometheus-stack",
  loki: "loki",
  tempo: "tempo",
  alloy: "alloy",
  blackboxExporter: "blackbox-exporter",
  postgresExporter: "postgres-exporter",
  redisExporter: "redis-exporter",
  pushgateway: "pushgateway",
  envoyGateway: "envoy-gateway",
  certManager: "cert-manager",
  externalDns: "external-dns",
  externalSecrets: "external-secrets",
  reloader: "reloader",
} as const;

/**
 * The arguments every Helm release and chart of the platform shares: pinned chart, fixed name (suffixed
 * with the instance for charts installed once per database or cache), namespace.
 */
export function helmChartArgs<V>(release: keyof typeof RELEASES, namespace: string, values: V, instance?: string) {
  const ref: ChartRef = CHARTS[release];
  const name = instance ? `${RELEASES[release]}-${instance}` : RELEASES[release];
  return { name, namespace, chart: ref.chart, version: ref.version, repositoryOpts: { repo: ref.repository }, values };
}
