/**
 * The whole platform as one component, from one validated PlatformConfig: what this repository's own program
 * (index.ts) runs, and what a program with a stack file of this project's schema can run too
 * (`import { loadConfig, Platform } from "platform/program"`). Not served to other languages: its argument
 * is the full stack configuration, not a set of documented arguments.
 */
export { buildPlatform, deployabilityProblems, Platform, type PlatformProviders } from "../components/platform";
export { grafanaHost } from "../components/monitoring";
export { loadConfig } from "../stacks/load";
export type { PlatformConfig } from "../stacks/platform-config";
