export * from "./external-secrets";
export * from "./external-secrets-values";
export * from "./secret-store";
export * from "./secrets-manager-policy";
