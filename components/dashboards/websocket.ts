import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, timeseriesPanel } from "./panels";
import { sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService } from "./variables";

/** Real-time connections: how many are open, how much flows, what breaks. */
export function websocketDashboard(t: AlertThresholds): Dashboard {
  return platformDashboard({
    name: "websocket",
    title: "Platform / WebSocket",
    description: "Open WebSocket connections, message rates and errors.",
    variables: namespaceAndService("websocket_connections_active"),
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({ title: "Open connections", description: "WebSocket connections open right now.", unit: "short", queries: [{ expr: `sum(websocket_connections_active{${S}})` }] }),
          statPanel({ title: "Messages sent", description: "Messages per second sent to clients.", unit: "ops", queries: [{ expr: sumRate("websocket_messages_sent_total", S) }] }),
          statPanel({ title: "Messages received", description: "Messages per second received from clients.", unit: "ops", queries: [{ expr: sumRate("websocket_messages_received_total", S) }] }),
          statPanel({
            title: "Errors, worst service",
            description: "WebSocket errors per second, of the service with the most.",
            unit: "ops",
            queries: [{ expr: `max(${sumRate("websocket_errors_total", S, "service")})` }],
            steps: redFrom(t.websockets.errorsPerSecond),
          }),
        ],
      },
      {
        title: "Over time",
        panels: [
          timeseriesPanel({
            title: "Open connections",
            description: "Connections open, per service.",
            unit: "short",
            queries: [{ expr: `sum by (service) (websocket_connections_active{${S}})`, legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Messages",
            description: "Messages per second, sent and received, per service.",
            unit: "ops",
            queries: [
              { expr: sumRate("websocket_messages_sent_total", S, "service"), legend: "{{service}} sent" },
              { expr: sumRate("websocket_messages_received_total", S, "service"), legend: "{{service}} received" },
            ],
          }),
          timeseriesPanel({
            title: "Errors by type",
            description: "WebSocket errors per second, per error type.",
            unit: "ops",
            width: 24,
            queries: [{ expr: sumRate("websocket_errors_total", S, "error_type"), legend: "{{error_type}}" }],
          }),
        ],
      },
    ],
  });
}
