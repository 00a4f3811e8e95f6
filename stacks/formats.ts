import cron from "cron-validate";
import type { OptionPreset } from "cron-validate/lib/types";

/**
 * Value formats shared by the config schema. Each check mirrors the consumer that will later parse the
 * value (Kubernetes, Prometheus, Alertmanager), so a bad value fails at load time instead of in the cluster.
 */

/** Prometheus duration (`30d`, `1h30m`, `500ms`), the grammar used by Prometheus, Alertmanager and Loki. */
const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const DURATION_UNIT_SECONDS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

/** Seconds in a Prometheus duration, or `undefined` when the text is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = PROMETHEUS_DURATION.exec(text);
  if (!match || text === "") return undefined;
  let seconds = 0;
  match.slice(1).forEach((part, i) => {
    if (part !== undefined) seconds += Number(part) * DURATION_UNIT_SECONDS[i];
  });
  return seconds;
}

/** A duration of whole hours in Go's notation (`336h`), for consumers that take no `d` unit (Loki, Tempo). */
export function durationInHours(text: string): string {
  return `${durationSeconds(text)! / 3600}h`;
}

/** Kubernetes resource quantity as used for cpu and memory (`250m`, `1.5`, `512Mi`, `2Gi`). */
export const QUANTITY = /^(?:\d+(?:\.\d+)?|\.\d+)(?:m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** RFC 1123 label: namespaces, Kubernetes object names, label values we generate. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** DNS name (one or more labels). */
export const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

// Kubernetes parses CronJob schedules with robfig/cron's ParseStandard: five fields, day-of-week 0-6,
// names allowed, `?` allowed, no seconds, no L/W/#, and it rejects any TZ/CRON_TZ prefix in the spec.
const KUBERNETES_CRON: OptionPreset = {
  presetId: "kubernetes-cronjob",
  useSeconds: false,
  useYears: false,
  useAliases: true,
  useBlankDay: true,
  allowOnlyOneBlankDayField: false,
  mustHaveBlankDayField: false,
  useLastDayOfMonth: false,
  useLastDayOfWeek: false,
  useNearestWeekday: false,
  useNthWeekdayOfMonth: false,
  seconds: { minValue: 0, maxValue: 59 },
  minutes: { minValue: 0, maxValue: 59 },
  hours: { minValue: 0, maxValue: 23 },
  daysOfMonth: { minValue: 1, maxValue: 31 },
  months: { minValue: 1, maxValue: 12 },
  daysOfWeek: { minValue: 0, maxValue: 6 },
  years: { minValue: 1970, maxValue: 2099 },
};

const CRON_MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** Why a Kubernetes CronJob schedule is invalid, or `undefined` when Kubernetes would accept it. */
export function cronScheduleProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) return "time zones go in the CronJob's timeZone field, not in the schedule";
  if (CRON_MACROS.has(trimmed)) return undefined;
  if (trimmed.split(/\s+/).length !== 5) return "a Kubernetes schedule has exactly five fields (minute hour day-of-month month day-of-week)";
  const result = cron(trimmed, { preset: KUBERNETES_CRON });
  return result.isValid() ? undefined : result.getError().map((e) => e.replace(/ \(Input cron: .*\)$/, "")).join("; ");
}
