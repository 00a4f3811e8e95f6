import { IRSA_ROLE_ANNOTATION } from "../core/irsa-role";
import { withEphemeralStorage } from "../core/ephemeral-storage";
import { PROMETHEUS_SELECTOR_LABELS } from "../core/prometheus-selector";

/** ServiceAccount the chart creates (named after the release), which the IRSA role trusts. */
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";

export interface ExternalDnsValuesInput {
  readonly domain: string;
  readonly hostedZoneId: string;
  readonly awsRegion: string;
  /** Namespace of the stack's Gateway: external-dns reads routes attached to Gateways there only. */
  readonly gatewayNamespace: string;
  /** TXT registry owner: records carrying another owner's TXT record are never touched. */
  readonly ownerId: string;
  readonly roleArn: string;
}

/**
 * external-dns 0.21 (chart 1.21) values: one record per HTTPRoute hostname, pointing at the Gateway's NLB.
 *
 * `policy: sync` with the TXT registry: external-dns creates, updates and deletes only records whose TXT
 * ownership record names this stack's owner id, so a removed app's record goes away with it instead of
 * dangling at a released load balancer, while every record someone else made (or another cluster owns)
 * stays untouched. `upsert-only` would leave those dangling records forever. --domain-filter and
 * --zone-id-filter keep it inside the stack's zone on top of its IAM scope.
 */
export function externalDnsValues(input: ExternalDnsValuesInput) {
  return {
    provider: { name: "aws" },
    sources: ["gateway-httproute"],
    gatewayNamespace: input.gatewayNamespace,
    policy: "sync",
    registry: "txt",
    txtOwnerId: input.ownerId,
    domainFilters: [input.domain],
    extraArgs: [`--zone-id-filter=${input.hostedZoneId}`, "--aws-zone-type=public"],
    env: [{ name: "AWS_DEFAULT_REGION", value: input.awsRegion }],
    interval: "1m",
    serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: input.roleArn } },
    resources: withEphemeralStorage({ requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } }),
    serviceMonitor: { enabled: true, additionalLabels: { ...PROMETHEUS_SELECTOR_LABELS } },
    logFormat: "json",
  };
}
