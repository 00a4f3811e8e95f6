import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { ConfigMap } from "kubernetes-types/core/v1";
import { toJson } from "../core/yaml";
import { commonLabels } from "../core/labels";

/**
 * How kube-prometheus-stack's Grafana sidecar finds dashboards (grafana.sidecar.dashboards in
 * kube-prometheus-stack-values.ts): ConfigMaps with this label in Grafana's own namespace (the sidecar
 * reads no other), filed into the folder the annotation names.
 */
export const GRAFANA_SIDECAR = { label: "grafana_dashboard", labelValue: "1", folderAnnotation: "grafana_folder" } as const;

/** Grafana folder of the platform's dashboards. */
export const DASHBOARD_FOLDER = "Platform";

/**
 * One ConfigMap per dashboard, named after its uid, holding `<uid>.json`. The JSON has its keys sorted,
 * so an unchanged dashboard renders byte-identical and only real changes show in a diff.
 */
export function dashboardConfigMaps(list: readonly Dashboard[], namespace: string, environment: string): ConfigMap[] {
  return list.map((dashboard) => {
    if (!dashboard.uid) throw new Error(`dashboard "${dashboard.title}" has no uid: give it one so its ConfigMap name is stable`);
    return {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: `grafana-dashboard-${dashboard.uid}`,
        namespace,
        labels: { ...commonLabels(environment), [GRAFANA_SIDECAR.label]: GRAFANA_SIDECAR.labelValue },
        annotations: { [GRAFANA_SIDECAR.folderAnnotation]: DASHBOARD_FOLDER },
      },
      data: { [`${dashboard.uid}.json`]: toJson(dashboard) },
    };
  });
}
