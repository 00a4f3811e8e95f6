export * from "./format";
export * from "./pack-config";
export * from "./run-policies";
