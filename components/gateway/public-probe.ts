import type { IssuerKind } from "../certificates/cluster-issuer";
import { PROBE_INTERVALS } from "../core/probe-intervals";
import type { ProbeTarget } from "../monitoring/blackbox";
import type { PublicEndpoint } from "./public-endpoints";

export const PUBLIC_PROBE_INTERVAL = PROBE_INTERVALS.public;

/**
 * The external probe of a public hostname: the backend's health path over https through DNS, the NLB and
 * the Gateway, as a user reaches it. Its certificate's expiry feeds the TLS-expiry alerts. Certificates of
 * Let's Encrypt's staging CA chain to a root no trust store holds, so staging probes them with the module
 * that skips chain verification (TLS, status and expiry are still checked).
 */
export function publicProbeTarget(endpoint: PublicEndpoint, issuer: IssuerKind): ProbeTarget {
  return {
    name: `${endpoint.name}-public`,
    namespace: endpoint.namespace,
    module: issuer === "production" ? "https_2xx" : "https_2xx_untrusted_ca",
    urls: [`https://${endpoint.hostname}${endpoint.healthPath}`],
    labels: { service: endpoint.serviceLabel, role: "public" },
    interval: PUBLIC_PROBE_INTERVAL,
  };
}
