import { alertRule, LIVE, sumRate } from "./promql";
import type { RuleGroupBuilder } from "./types";

const RUNBOOK = "websockets";

export const websocketRules: RuleGroupBuilder = (t) => {
  const { errorsPerSecond, errorFor } = t.websockets;
  return {
    name: "platform-websockets",
    rules: [
      alertRule(RUNBOOK, {
        alert: "WebSocketHighErrorRate",
        expr: `${sumRate("websocket_errors_total", ["namespace", "service"], "5m", LIVE)} > ${errorsPerSecond}`,
        for: errorFor,
        severity: "warning",
        team: "application",
        component: "websocket",
        identity: ["namespace", "service"],
        summary: "WebSocket connections report many errors.",
        description: `{{ $labels.namespace }}/{{ $labels.service }} reports {{ $value | humanize }} WebSocket errors per second, above ${errorsPerSecond}/s for ${errorFor}.`,
      }),
    ],
  };
};
