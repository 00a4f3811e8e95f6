/** Where the runbooks live: this repository, so a runbook is reviewed with the rule it explains. */
export const RUNBOOK_BASE_URL = "https://github.com/example/platform/blob/main/components/alerting/runbooks";

/**
 * Link to an alert's section in its runbook file. The anchor is GitHub's slug of the `## <AlertName>`
 * heading, i.e. the alert name in lower case.
 */
export function runbookUrl(file: string, alert: string): string {
  return `${RUNBOOK_BASE_URL}/${file}.md#${alert.toLowerCase()}`;
}
