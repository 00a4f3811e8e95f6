import type { Service } from "kubernetes-types/core/v1";
import type { Color } from "../../stacks/apps-schema";
import type { BlueGreenAppSpec } from "./app-spec";
import { APP_LABEL, appLabels, colorLabels, colorSelector } from "./labels";

export type TrafficRole = "active" | "preview";

/** Names of an app's Services (Argo Rollouts' activeService / previewService). */
export const serviceName = {
  active: (app: string) => app,
  preview: (app: string) => `${app}-preview`,
  color: (app: string, color: Color) => `${app}-${color}`,
};

/** In-cluster base URL of a Service of the app. */
export function serviceUrl(spec: BlueGreenAppSpec, service: string): string {
  return `http://${service}.${spec.app.namespace}.svc.cluster.local:${spec.app.port}`;
}

function service(spec: BlueGreenAppSpec, name: string, labels: Record<string, string>, color: Color): Service {
  const { app } = spec;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: app.namespace, labels },
    spec: {
      type: "ClusterIP",
      selector: colorSelector(app.name, color),
      ports: [{ name: "http", port: app.port, targetPort: "http", protocol: "TCP" }],
    },
  };
}

/**
 * The active Service selects `activeColor`, the preview Service the other colour. Their selectors are
 * the only fields of the two that follow activeColor; the role label is fixed per Service, so series
 * scraped through them keep role="active"/"preview" while the pods behind them change.
 */
export function trafficServiceManifest(spec: BlueGreenAppSpec, role: TrafficRole): Service {
  const { app } = spec;
  const color = role === "active" ? spec.activeColor : spec.idleColor;
  return service(spec, serviceName[role](app.name), { ...appLabels(app.name, spec.environment), [APP_LABEL.role]: role }, color);
}

/**
 * A Service per colour, whose selector never changes. The gate tests the colour it is about to promote
 * through it: in the promotion's `pulumi up` the preview Service swings to the outgoing colour, so a gate
 * aimed at the preview Service could end up testing the old version.
 */
export function colorServiceManifest(spec: BlueGreenAppSpec, color: Color): Service {
  const { app } = spec;
  return service(spec, serviceName.color(app.name, color), colorLabels(app.name, spec.environment, color), color);
}
