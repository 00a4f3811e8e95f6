import { createHmac } from "node:crypto";

/** Pod-template annotation that changes whenever a Secret the pods read changes, so a rotation rolls them. */
export const SECRET_CHECKSUM_ANNOTATION = "platform.io/secret-checksum";

/**
 * A keyed checksum (HMAC-SHA256) of secret values. Keyed with a random per-workload salt that only Pulumi's
 * state holds, because a plain hash of a short password in an annotation anyone may read could be guessed
 * offline; the salted one reveals nothing but "changed".
 */
export function secretChecksum(salt: string, values: Readonly<Record<string, string>>): string {
  const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
  return createHmac("sha256", salt).update(JSON.stringify(entries)).digest("hex");
}

interface WithPodTemplate {
  readonly spec?: { readonly template?: { readonly metadata?: { readonly annotations?: Readonly<Record<string, unknown>> } } };
}

/** A workload whose pod template carries extra annotations (values may be Pulumi Outputs). */
export function withPodTemplateAnnotations<T extends WithPodTemplate>(workload: T, annotations: Readonly<Record<string, unknown>>): T {
  const template = workload.spec?.template ?? {};
  const metadata = template.metadata ?? {};
  return {
    ...workload,
    spec: { ...workload.spec, template: { ...template, metadata: { ...metadata, annotations: { ...metadata.annotations, ...annotations } } } },
  };
}
