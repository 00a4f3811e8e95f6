export * from "./namespace-specs";
export * from "./platform";
export * from "./deployability";
export * from "./target";
