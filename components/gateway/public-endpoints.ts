import type { AppSettings } from "../../stacks/apps-schema";
import { grafanaHostname } from "../../stacks/schema";
import { APP_LABEL, SERVER_COMPONENT } from "../apps/labels";
import { serviceName } from "../apps/services";
import { RELEASES } from "../monitoring/charts";

/**
 * One public hostname and the backend behind it: what the Gateway listener, the certificate, the route, the
 * DNS record, the NetworkPolicies and the external probe of that hostname are all built from.
 */
export interface PublicEndpoint {
  /** Unique in the stack (`<namespace>-<name>`): names the listener, the Certificate and its Secret. */
  readonly key: string;
  /** The backend's own name: the app, or `grafana`. */
  readonly name: string;
  readonly hostname: string;
  /** Namespace of the backend Service (and of its HTTPRoute). */
  readonly namespace: string;
  /** Service the route sends traffic to, and its port. */
  readonly service: string;
  readonly servicePort: number;
  /** Port the backend pods listen on: the only port the gateway's proxies may reach. */
  readonly podPort: number;
  /** Labels that select the backend pods (every colour of an app, never its gate Job). */
  readonly pods: Readonly<Record<string, string>>;
  /** Path the external probe requests over https. */
  readonly healthPath: string;
  /** `service` label of the probe's series. */
  readonly serviceLabel: string;
}

/** Grafana as kube-prometheus-stack deploys it: Service port 80 in front of the container's 3000. */
export const GRAFANA_BACKEND = {
  service: `${RELEASES.kubePrometheusStack}-grafana`,
  servicePort: 80,
  podPort: 3000,
  pods: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASES.kubePrometheusStack },
  healthPath: "/api/health",
} as const;

export interface PublicEndpointsInput {
  readonly domain: string;
  readonly monitoringNamespace: string;
  readonly apps: readonly AppSettings[];
}

/** Every public hostname of the stack: Grafana's, then each app with a `hostname`, in config order. */
export function publicEndpoints(input: PublicEndpointsInput): PublicEndpoint[] {
  const grafana: PublicEndpoint = {
    key: `${input.monitoringNamespace}-grafana`,
    name: "grafana",
    hostname: grafanaHostname(input.domain),
    namespace: input.monitoringNamespace,
    service: GRAFANA_BACKEND.service,
    servicePort: GRAFANA_BACKEND.servicePort,
    podPort: GRAFANA_BACKEND.podPort,
    pods: GRAFANA_BACKEND.pods,
    healthPath: GRAFANA_BACKEND.healthPath,
    serviceLabel: "grafana",
  };
  const apps = input.apps.flatMap((app): PublicEndpoint[] =>
    app.hostname === undefined
      ? []
      : [
          {
            key: `${app.namespace}-${app.name}`,
            name: app.name,
            hostname: app.hostname,
            namespace: app.namespace,
            // The active Service: whichever colour it selects is what the public hostname serves.
            service: serviceName.active(app.name),
            servicePort: app.port,
            podPort: app.port,
            pods: { [APP_LABEL.name]: app.name, [APP_LABEL.component]: SERVER_COMPONENT },
            healthPath: app.health.readiness,
            serviceLabel: app.name,
          },
        ],
  );
  return [grafana, ...apps];
}
