import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { platformDashboard } from "./dashboard";
import { redFrom, statPanel, timeseriesPanel } from "./panels";
import { medianAndP95, quantile, rateRatio, sumRate } from "./promql";
import { APP_SELECTOR as S, namespaceAndService } from "./variables";

/** Logins and sessions: whether users get in, how fast, and whether someone is guessing passwords. */
export function authDashboard(t: AlertThresholds): Dashboard {
  return platformDashboard({
    name: "auth",
    title: "Platform / Authentication",
    description: "Login attempts and their outcome, login time, failed attempts and active sessions.",
    variables: namespaceAndService("auth_attempts_total"),
    rows: [
      {
        title: "Now",
        panels: [
          statPanel({
            title: "Failure ratio, worst service",
            description: "Share of login attempts that failed, of the service with the highest share.",
            unit: "percentunit",
            queries: [{ expr: `max(${rateRatio("auth_attempts_total", S, 'result="failure"', "service")})` }],
            steps: redFrom(t.auth.failureRatio),
          }),
          statPanel({
            title: "Failed attempts, worst service",
            description: "Failed logins per second of the most attacked service; a sustained high rate looks like password guessing.",
            unit: "ops",
            queries: [{ expr: `max(${sumRate("auth_attempts_total", `${S}, result="failure"`, "service")})` }],
            steps: redFrom(t.auth.bruteForceFailuresPerSecond),
          }),
          statPanel({
            title: "Login time p95, worst service",
            description: "95th percentile time to complete a login, of the slowest service.",
            unit: "s",
            queries: [{ expr: `max(${quantile(0.95, "auth_login_duration_seconds", S, "service")})` }],
            steps: redFrom(t.auth.p95LoginSeconds),
          }),
          statPanel({ title: "Active sessions", description: "User sessions active right now.", unit: "short", queries: [{ expr: `sum(active_sessions{${S}})` }] }),
        ],
      },
      {
        title: "Attempts",
        panels: [
          timeseriesPanel({
            title: "Attempts by result",
            description: "Login attempts per second, per method and result.",
            unit: "ops",
            queries: [{ expr: sumRate("auth_attempts_total", S, "method, result"), legend: "{{method}} {{result}}" }],
          }),
          timeseriesPanel({
            title: "Failed attempts by service",
            description: "Failed logins per second, per service.",
            unit: "ops",
            queries: [{ expr: sumRate("auth_attempts_total", `${S}, result="failure"`, "service"), legend: "{{service}}" }],
          }),
          timeseriesPanel({
            title: "Login time",
            description: "Median and 95th percentile login time, per method.",
            unit: "s",
            queries: medianAndP95("auth_login_duration_seconds", S, "method"),
          }),
          timeseriesPanel({
            title: "Active sessions",
            description: "User sessions active, per service.",
            unit: "short",
            queries: [{ expr: `sum by (service) (active_sessions{${S}})`, legend: "{{service}}" }],
          }),
        ],
      },
    ],
  });
}
