/** Longest `metadata.name` per kind where Kubernetes allows less than a DNS subdomain's 253 characters. */
export const KUBERNETES_NAME_LIMITS: Readonly<Record<string, number>> = {
  // The CronJob controller names each Job `<cronjob>-<minutes since epoch>` (11 more characters), and a Job's
  // name becomes a label value on its pods: the API server rejects CronJob names over 52.
  CronJob: 52,
  // The controller-revision-hash label carries `<name>-<10-character hash>`.
  StatefulSet: 52,
  // `job-name` / `batch.kubernetes.io/job-name` label on the Job's pods.
  Job: 63,
  // Services and Namespaces are DNS labels (RFC 1035 / 1123).
  Service: 63,
  Namespace: 63,
};

/** Any other object name is a DNS subdomain. */
export const DNS_SUBDOMAIN_LIMIT = 253;
/** Label values, including selector values. */
export const LABEL_VALUE_LIMIT = 63;
/** Kubernetes' label value grammar (besides LABEL_VALUE_LIMIT): empty, or starting and ending with a letter or digit. */
export const LABEL_VALUE_GRAMMAR = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Helm refuses longer release names (it derives object names and labels from them). */
export const HELM_RELEASE_NAME_LIMIT = 53;

/** One generated name that Kubernetes or Helm would refuse. */
export interface NameProblem {
  /** What carries the name, e.g. `the CronJob name "pg-backup-…"` or `the label app.kubernetes.io/version on Deployment api-blue`. */
  readonly what: string;
  readonly value: string;
  readonly limit: number;
}

interface ObjectLike {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
}

function labelValues(node: unknown, into: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) node.forEach((item) => labelValues(item, into));
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if ((key === "labels" || key === "matchLabels") && value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [label, text] of Object.entries(value)) if (typeof text === "string") into.push([label, text]);
      } else {
        labelValues(value, into);
      }
    }
  }
  return into;
}

/** The names and label values of a generated Kubernetes object that are over their limits. */
export function objectNameProblems(object: ObjectLike): NameProblem[] {
  const problems: NameProblem[] = [];
  const kind = object.kind ?? "object";
  const name = object.metadata?.name;
  if (name !== undefined) {
    const limit = KUBERNETES_NAME_LIMITS[kind] ?? DNS_SUBDOMAIN_LIMIT;
    if (name.length > limit) problems.push({ what: `the ${kind} name "${name}"`, value: name, limit });
  }
  const seen = new Set<string>();
  for (const [label, value] of labelValues(object)) {
    const key = `${label}=${value}`;
    if (value.length > LABEL_VALUE_LIMIT && !seen.has(key)) {
      seen.add(key);
      problems.push({ what: `the label ${label} of ${kind} ${name ?? ""}`.trimEnd(), value, limit: LABEL_VALUE_LIMIT });
    }
  }
  return problems;
}

/** A Helm release name over Helm's limit, if it is. */
export function releaseNameProblems(release: string): NameProblem[] {
  return release.length > HELM_RELEASE_NAME_LIMIT ? [{ what: `the Helm release name "${release}"`, value: release, limit: HELM_RELEASE_NAME_LIMIT }] : [];
}
