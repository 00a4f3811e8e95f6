export * from "./config-maps";
export * from "./dashboard";
export * from "./dashboards";
export * from "./panels";
export * from "./platform-dashboards";
export * from "./variables";
