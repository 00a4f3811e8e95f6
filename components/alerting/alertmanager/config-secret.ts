import { ALERTMANAGER_CONFIG_SECRET } from "../../core/alertmanager-config-secret";
import { commonLabels } from "../../core/labels";
import { toYaml } from "../../core/yaml";
import { type AlertIdentity, alertmanagerConfig } from "./alertmanager-config";
import type { AlertRoutingInput, ReceiverSecrets } from "./routing-input";

/**
 * Annotation of that Secret holding the same configuration with every credential replaced by REDACTED: the
 * routing a reviewer sees in `npm run plan --diff`, and the policy pack checks (the payload itself is secret).
 */
export const ROUTING_ANNOTATION = "platform.io/alertmanager-routing";
export const REDACTED = "<redacted>";

/** alertmanager.yaml as Alertmanager reads it (YAML 1.1, so the receiver named "null" stays a string). */
export function alertmanagerConfigYaml(input: AlertRoutingInput, secrets: ReceiverSecrets, alerts: readonly AlertIdentity[]): string {
  return toYaml(alertmanagerConfig(input, secrets, alerts));
}

/** Which credentials are set, each replaced by REDACTED: enough to build the configuration's shape. */
export function redactedSecrets(present: Readonly<Record<keyof ReceiverSecrets, boolean>>): ReceiverSecrets {
  return Object.fromEntries(Object.entries(present).filter(([, set]) => set).map(([key]) => [key, REDACTED]));
}

/** The configuration without credentials, as JSON for ROUTING_ANNOTATION. */
export function redactedRouting(input: AlertRoutingInput, present: Readonly<Record<keyof ReceiverSecrets, boolean>>, alerts: readonly AlertIdentity[]): string {
  return JSON.stringify(alertmanagerConfig(input, redactedSecrets(present), alerts), null, 2);
}

/**
 * The Secret holding the rendered configuration. Generic in the payload so the component can pass the
 * secret Output it renders and a test the plain string: the rendered file is the only place credentials go.
 */
export function alertmanagerConfigSecretManifest<T>(namespace: string, environment: string, configYaml: T, routing: string) {
  return {
    apiVersion: "v1" as const,
    kind: "Secret" as const,
    metadata: { name: ALERTMANAGER_CONFIG_SECRET.name, namespace, labels: commonLabels(environment), annotations: { [ROUTING_ANNOTATION]: routing } },
    type: "Opaque",
    stringData: { [ALERTMANAGER_CONFIG_SECRET.key]: configYaml },
  };
}
