export * from "./alert-rules-context";
export * from "./namespace-specs";
export * from "./platform";
export * from "./public-endpoints";
