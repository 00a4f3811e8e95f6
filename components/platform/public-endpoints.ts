import { grafanaHost } from "../monitoring/kube-prometheus-stack-values";
import type { PublicEndpoint } from "../monitoring/blackbox";
import type { StackSettings } from "../../stacks/schema";

/** Grafana's health endpoint: 200 without a login. */
const GRAFANA_HEALTH = "/api/health";

/** Every hostname the stack serves publicly: Grafana's, and each app's that has one (at its readiness path). */
export function publicEndpoints(settings: Pick<StackSettings, "domain" | "apps">): PublicEndpoint[] {
  return [
    { host: grafanaHost(settings.domain), path: GRAFANA_HEALTH },
    ...settings.apps.flatMap((app) => (app.hostname ? [{ host: app.hostname, path: app.health.readiness }] : [])),
  ];
}
