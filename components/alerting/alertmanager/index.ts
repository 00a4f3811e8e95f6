export * from "./alertmanager-config";
export * from "./alertmanager-config-secret";
export * from "./config-secret";
export * from "./config-types";
export * from "./routing-input";
