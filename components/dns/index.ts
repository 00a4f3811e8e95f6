export * from "./external-dns";
export * from "./external-dns-policy";
export * from "./external-dns-values";
