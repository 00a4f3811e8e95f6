import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, describeHelm, describeObject, podTemplateOf, TYPES } from "./kubernetes";
import { isMaskedSecret, plainSecret } from "../../stacks/secret-detection";
import { isRecord, list, record, str } from "./values";

const FIX = "reference a Kubernetes Secret instead";

/** The violation for one string stored under `name`, or undefined. */
function literalSecret(where: string, path: string, name: string, value: string): string | undefined {
  const found = plainSecret(name, value);
  if (found?.kind === "pattern") return `${where}: ${path} contains a ${found.pattern} in plain text; ${FIX}`;
  if (found?.kind === "name") return `${where}: ${path} looks like a secret and holds a literal value; ${FIX}`;
  return undefined;
}

/**
 * A Pulumi secret stays encrypted in the state, but a ConfigMap or a literal env value is stored and shown in
 * plain text by Kubernetes itself (`kubectl get -o yaml`, every backup of etcd), so there it leaks anyway.
 */
function pulumiSecretInPlainObject(where: string, path: string, value: string): string | undefined {
  return isMaskedSecret(value) ? `${where}: ${path} holds a Pulumi secret, which Kubernetes stores here in plain text; put it in a Secret and reference it` : undefined;
}

/** Every string leaf of Helm values with its dotted path and the key it sits under. */
function* stringLeaves(value: unknown, path: string, key: string): Generator<[string, string, string]> {
  if (typeof value === "string") yield [path, key, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringLeaves(v, `${path}[${i}]`, key);
  else if (isRecord(value)) for (const [k, v] of Object.entries(value)) yield* stringLeaves(v, `${path}.${k}`, k);
}

/**
 * Secrets in code or plain config end up in git history, CI logs and `pulumi preview` diffs. Scans ConfigMap
 * data, container env values and Helm values. A value masked as a Pulumi secret is fine in Helm values (a
 * Release keeps them in its own Kubernetes Secret) but not in a ConfigMap or env value (see above).
 */
export const noPlaintextSecrets: ResourceValidationPolicy = {
  name: "no-plaintext-secrets",
  description: "No secret-looking literal (webhook URLs, keys, passwords, tokens) in ConfigMaps, container env values or Helm values.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: (args, reportViolation) => {
    const found: (string | undefined)[] = [];
    if (args.type === TYPES.configMap) {
      const where = describeObject(args.type, args.props, args.name);
      for (const [key, value] of Object.entries(record(args.props.data))) {
        if (typeof value !== "string") continue;
        found.push(pulumiSecretInPlainObject(where, `data.${key}`, value) ?? literalSecret(where, `data.${key}`, key, value));
      }
    }
    const template = podTemplateOf(args.type, args.props);
    if (template) {
      const object = describeObject(args.type, args.props, args.name);
      for (const { name, container } of containersOf(template.spec)) {
        const where = `${object} container "${name}"`;
        for (const variable of list(container.env).filter(isRecord)) {
          const value = str(variable.value);
          const variableName = str(variable.name) ?? "";
          if (value === undefined) continue;
          found.push(pulumiSecretInPlainObject(where, `env ${variableName}`, value) ?? literalSecret(where, `env ${variableName}`, variableName, value));
        }
      }
    }
    if (args.type === TYPES.helmRelease || args.type === TYPES.helmChart) {
      const where = describeHelm(args.type, args.props, args.name);
      for (const [path, key, value] of stringLeaves(args.props.values, "values", "values")) {
        found.push(literalSecret(where, path, key, value));
      }
    }
    for (const message of found) if (message) reportViolation(message);
  },
};
