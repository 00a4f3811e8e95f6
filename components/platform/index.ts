export * from "./alert-rules-context";
export * from "./namespace-specs";
export * from "./platform";
export * from "./deployability";
export * from "./target";
export * from "./component-args";
