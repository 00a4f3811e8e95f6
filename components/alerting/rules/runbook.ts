/**
 * Link to an alert's section in its runbook file under `baseUrl` (the stack's runbookBaseUrl). The anchor
 * is GitHub's slug of the `## <AlertName>` heading, i.e. the alert name in lower case.
 */
export function runbookUrl(baseUrl: string, file: string, alert: string): string {
  return `${baseUrl}/${file}.md#${alert.toLowerCase()}`;
}

/** The same link relative to the repository root, for documents inside it (the README's alert catalogue). */
export const RUNBOOK_DIRECTORY = "components/alerting/runbooks";
