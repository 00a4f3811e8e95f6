/**
 * How often the platform's Probes run: an app's readiness behind its active Service, and a public hostname
 * through DNS, the NLB and the Gateway. EndpointDown's `for` spans two runs of the slowest, so a single
 * failed probe never pages (components/alerting/rules/availability.ts).
 */
export const PROBE_INTERVALS = { inCluster: "30s", public: "60s" } as const;
