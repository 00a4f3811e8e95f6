export * from "./backup-metrics";
export * from "./catalog";
export * from "./exporter-metrics";
export * from "./known-series";
export * from "./register";
