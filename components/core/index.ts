export * from "./labels";
export * from "./namespace-manifests";
export * from "./platform-namespace";
export * from "./aws-policies";
export * from "./yaml";
export * from "./data-protection";
export * from "./secret-checksum";
export * from "./hardened-bucket";
