import { toYaml } from "../../core/yaml";
import { commonLabels } from "../../core/labels";
import { alertmanagerConfig } from "./alertmanager-config";
import type { AlertRoutingInput, ReceiverSecrets } from "./routing-input";

/**
 * The Secret Alertmanager reads its configuration from. The operator mounts `configSecret` and reads the
 * key `alertmanager.yaml`; the name is fixed so the chart's values can point at it before it exists.
 */
export const ALERTMANAGER_CONFIG_SECRET = { name: "alertmanager-platform-config", key: "alertmanager.yaml" } as const;

/** alertmanager.yaml as Alertmanager reads it (YAML 1.1, so the receiver named "null" stays a string). */
export function alertmanagerConfigYaml(input: AlertRoutingInput, secrets: ReceiverSecrets): string {
  return toYaml(alertmanagerConfig(input, secrets));
}

/**
 * The Secret holding the rendered configuration. Generic in the payload so the component can pass the
 * secret Output it renders and a test the plain string: the rendered file is the only place credentials go.
 */
export function alertmanagerConfigSecretManifest<T>(namespace: string, environment: string, configYaml: T) {
  return {
    apiVersion: "v1" as const,
    kind: "Secret" as const,
    metadata: { name: ALERTMANAGER_CONFIG_SECRET.name, namespace, labels: commonLabels(environment) },
    type: "Opaque",
    stringData: { [ALERTMANAGER_CONFIG_SECRET.key]: configYaml },
  };
}

/** The kube-prometheus-stack 88.x values that make Alertmanager use this Secret instead of the chart's own. */
export interface AlertmanagerConfigSecretValues {
  alertmanager: { alertmanagerSpec: { useExistingSecret: boolean; configSecret: string } };
}

/**
 * Merge into kubePrometheusStackValues. `useExistingSecret` stops the chart rendering its own config Secret
 * (and ignores `alertmanager.config`); `configSecret` tells the operator which Secret to mount instead.
 */
export function alertmanagerConfigSecretValues(): AlertmanagerConfigSecretValues {
  return { alertmanager: { alertmanagerSpec: { useExistingSecret: true, configSecret: ALERTMANAGER_CONFIG_SECRET.name } } };
}
