export * from "./controller-monitor";
export * from "./envoy-gateway-values";
export * from "./gateway";
export * from "./gateway-manifests";
export * from "./gateway-network-policies";
export * from "./public-hostname";
export * from "./public-endpoints";
export * from "./public-probe";
