export * from "./namespace-specs";
export * from "./platform";
