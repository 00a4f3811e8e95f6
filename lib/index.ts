/**
 * The platform's components as a library: import this entry (the package's `exports`) to use them in your own
 * Pulumi program. Importing it creates nothing; every component takes its own documented, validated
 * arguments and the providers you pass (`{ providers: { kubernetes } }`), like pulumi-eks' components.
 * provider/ serves the same components to Pulumi programs in other languages (YAML, Python, Go).
 */
export * from "./types";
export { ComponentArgsError } from "./args-error";
export * from "./platform-namespace";
export * from "./blue-green-app";
export * from "./alert-thresholds";
export * from "./alert-rules";
export * from "./platform-dashboards";
