export * from "./alert-rules";
export * from "./platform-rules";
export * from "./prometheus-rule-manifests";
export * from "./recording";
export * from "./runbook";
export * from "./types";
