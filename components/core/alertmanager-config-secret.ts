/**
 * The Secret Alertmanager reads its configuration from: components/alerting writes it, kube-prometheus-stack's
 * values (components/monitoring) make the operator mount it. The operator mounts `configSecret` and reads the
 * key `alertmanager.yaml`; the name is fixed so the chart's values can point at it before it exists.
 */
export const ALERTMANAGER_CONFIG_SECRET = { name: "alertmanager-platform-config", key: "alertmanager.yaml" } as const;

/** The kube-prometheus-stack 88.x values that make Alertmanager use this Secret instead of the chart's own. */
export interface AlertmanagerConfigSecretValues {
  alertmanager: { alertmanagerSpec: { useExistingSecret: boolean; configSecret: string } };
}

/**
 * Merge into kubePrometheusStackValues. `useExistingSecret` stops the chart rendering its own config Secret
 * (and ignores `alertmanager.config`); `configSecret` tells the operator which Secret to mount instead: the
 * platform's own by default, another one (key alertmanager.yaml) when the monitoring stack is used alone.
 */
export function alertmanagerConfigSecretValues(configSecret: string = ALERTMANAGER_CONFIG_SECRET.name): AlertmanagerConfigSecretValues {
  return { alertmanager: { alertmanagerSpec: { useExistingSecret: true, configSecret } } };
}
