/**
 * `platform/monitoring`: MonitoringStack, an entry of its own because it needs @pulumi/aws (an optional peer
 * dependency, for Loki's and Tempo's buckets), which the main entry does not load.
 */
export * from "./postgres-connection";
export * from "./monitoring-settings";
export * from "./monitoring-stack";
