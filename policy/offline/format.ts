import type { PolicyReport, Violation } from "./run-policies";

type Level = Violation["enforcementLevel"];

/** The resource name at the end of a URN (`urn:pulumi:…::platform-apps-ns` → `platform-apps-ns`). */
function resourceName(urn: string | undefined): string {
  return urn === undefined ? "(stack)" : urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The violations of the given levels as `npm run plan` prints them, mandatory first (what blocks `pulumi up`),
 * each with its policy, resource and message; empty when there are none.
 */
export function formatViolations(report: PolicyReport, levels: readonly Level[] = ["mandatory", "advisory"]): string {
  const shown = levels.flatMap((level) => report.violations.filter((v) => v.enforcementLevel === level));
  if (shown.length === 0) return "";
  const lines = shown.map((v) => `  ${v.enforcementLevel.padEnd(9)}  ${v.policy}  ${resourceName(v.urn)}\n             ${v.message}\n`);
  return `\nPolicy violations:\n${lines.join("")}`;
}

/** One clause for the plan's summary line: `policy: 0 mandatory, 1 advisory`. */
export function policySummary(report: PolicyReport): string {
  return `policy: ${report.mandatory} mandatory, ${report.advisory} advisory`;
}

/** Exit status of a plan: any mandatory violation fails it, as it fails `pulumi preview --policy-pack`. */
export function policyExitCode(report: PolicyReport): number {
  return report.mandatory > 0 ? 1 : 0;
}
