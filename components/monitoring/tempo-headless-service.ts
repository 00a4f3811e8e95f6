import type { Service } from "kubernetes-types/core/v1";
import { TEMPO_HTTP_PORT } from "./monitoring-input";
import { TEMPO_PODS } from "./tempo-values";

/**
 * The governing Service Tempo's StatefulSet names (`serviceName: tempo-headless`) but chart 2.2.4 does not
 * render: without it the pods get no stable DNS names, and kube-score refuses the StatefulSet. Headless, with
 * not-ready pods published, as a StatefulSet's governing Service is.
 */
export function tempoHeadlessService(namespace: string): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "tempo-headless", namespace, labels: { ...TEMPO_PODS } },
    spec: {
      clusterIP: "None",
      publishNotReadyAddresses: true,
      selector: { ...TEMPO_PODS },
      ports: [{ name: "tempo-prom-metrics", port: TEMPO_HTTP_PORT, targetPort: TEMPO_HTTP_PORT, protocol: "TCP" }],
    },
  };
}
