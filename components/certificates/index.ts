export * from "./cert-manager";
export * from "./cert-manager-values";
export * from "./cluster-issuer";
export * from "./dns01-policy";
