import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import type { AlertThresholds } from "../../stacks/alert-thresholds-schema";
import { alertsDashboard } from "./alerts";
import { applicationDashboard } from "./application";
import { authDashboard } from "./auth";
import { businessDashboard } from "./business";
import { cacheDashboard } from "./cache";
import { connectorsDashboard } from "./connectors";
import { databaseDashboard } from "./database";
import { pipelinesDashboard } from "./pipelines";
import { systemOverviewDashboard } from "./system-overview";
import { websocketDashboard } from "./websocket";

/**
 * Every platform dashboard, in the order Grafana lists them. Panels turn red at the stack's alert
 * thresholds, so a red panel and a firing alert mean the same thing.
 */
export function dashboards(thresholds: AlertThresholds): Dashboard[] {
  return [
    systemOverviewDashboard(thresholds),
    applicationDashboard(thresholds),
    databaseDashboard(thresholds),
    pipelinesDashboard(thresholds),
    connectorsDashboard(thresholds),
    authDashboard(thresholds),
    cacheDashboard(thresholds),
    businessDashboard(),
    websocketDashboard(thresholds),
    alertsDashboard(),
  ];
}
