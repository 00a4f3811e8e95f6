export * from "./labels";
export * from "./namespace-manifests";
export * from "./platform-namespace";
export * from "./aws-policies";
export * from "./yaml";
export * from "./hardened-bucket";
