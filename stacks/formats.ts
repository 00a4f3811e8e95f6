import cron from "cron-validate";
import type { OptionPreset } from "cron-validate/lib/types";

/**
 * Value formats shared by the config schema. Each check mirrors the consumer that will later parse the
 * value (Kubernetes, Prometheus, Alertmanager), so a bad value fails at load time instead of in the cluster.
 */

/** Prometheus duration (`30d`, `1h30m`, `500ms`), the grammar used by Prometheus, Alertmanager and Loki. */
const PROMETHEUS_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

const DURATION_UNIT_SECONDS = [365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001];

// Prometheus, Alertmanager and Loki hold a duration in Go's time.Duration, int64 nanoseconds (about 292 years),
// and refuse a longer one ("duration out of range").
const LONGEST_DURATION_SECONDS = (2 ** 63 - 1) / 1e9;

/** Seconds in a Prometheus duration, or `undefined` when the text is not one or Prometheus cannot hold it. */
export function durationSeconds(text: string): number | undefined {
  const match = PROMETHEUS_DURATION.exec(text);
  if (!match || text === "") return undefined;
  let seconds = 0;
  match.slice(1).forEach((part, i) => {
    if (part !== undefined) seconds += Number(part) * DURATION_UNIT_SECONDS[i];
  });
  return seconds > LONGEST_DURATION_SECONDS ? undefined : seconds;
}

/** A duration of whole hours in Go's notation (`336h`), for consumers that take no `d` unit (Loki, Tempo). */
export function durationInHours(text: string): string {
  return `${durationSeconds(text)! / 3600}h`;
}

// CPU and memory share Kubernetes' quantity grammar, but not its sensible spellings: `16Gi` of CPU is
// seventeen billion cores, and `512m` of memory half a byte. Each gets the spellings that mean what was meant.

/** Kubernetes CPU quantity: cores as a decimal (`2`, `0.5`) or millicores (`250m`). */
export const CPU_QUANTITY = /^(?:\d+(?:\.\d+)?|\.\d+)m?$/;

/** Kubernetes memory or storage quantity: bytes, with a decimal or binary suffix (`512Mi`, `4Gi`, `1G`); never `m`. */
export const MEMORY_QUANTITY = /^(?:\d+(?:\.\d+)?|\.\d+)(?:k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;

/**
 * An AWS region's name: partition prefix, a compass direction and a number (eu-west-1, us-gov-east-1,
 * ap-southeast-3, us-iso-east-1). The direction words catch a typo such as eu-wset-1 or eu-centrl-1, which
 * AWS would only refuse at apply time.
 */
export const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/;

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

/**
 * Why a schedule is not one the platform takes for its CronJobs (one Kubernetes refuses, or `@every`, which it
 * takes but whose runs the backup and drill checks cannot reckon), or `undefined` when it is.
 */
export function cronScheduleProblem(schedule: string): string | undefined {
  const trimmed = schedule.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) return "time zones go in the CronJob's timeZone field, not in the schedule";
  if (CRON_MACROS.has(trimmed)) return undefined;
  // @every (which Kubernetes takes) has no calendar to reckon the backups' gaps from; @reboot Kubernetes refuses.
  if (trimmed.startsWith("@")) {
    const macro = trimmed.split(/\s+/)[0];
    const why = macro === "@every" ? "Kubernetes takes @every, but the backup and drill checks reckon a schedule's runs from a calendar" : `Kubernetes does not take ${macro}`;
    return `${why}: use ${[...CRON_MACROS].join(", ")} or five fields (minute hour day-of-month month day-of-week)`;
  }
  if (trimmed.split(/\s+/).length !== 5) return "a Kubernetes schedule has exactly five fields (minute hour day-of-month month day-of-week)";
  const result = cron(trimmed, { preset: KUBERNETES_CRON });
  if (!result.isValid()) return result.getError().map((e) => e.replace(/ \(Input cron: .*\)$/, "")).join("; ");
  return backwardsRangeProblem(trimmed);
}

/**
 * A range that ends before it starts, which Kubernetes refuses: cron-validate checks numbers only, so `MON-SUN`
 * (1-0, Sunday being 0) would pass it and then never run. Takes a schedule cron-validate accepts.
 */
function backwardsRangeProblem(schedule: string): string | undefined {
  const fields = schedule.split(/\s+/);
  for (const [i, field] of CRON_FIELDS.entries()) {
    for (const part of fields[i].split(",")) {
      const [low, high] = part.split("/")[0].split("-").map((v) => (field.names.includes(v.toLowerCase()) ? field.names.indexOf(v.toLowerCase()) + field.min : Number(v)));
      if (high !== undefined && low > high) {
        return `range ${part.split("/")[0]} of the ${field.name} field ends before it starts (${low}-${high}${field.name === "day-of-week" ? ", Sunday being 0" : ""}); Kubernetes refuses it`;
      }
    }
  }
  return undefined;
}

const CRON_FIELDS = [
  { name: "minute", min: 0, max: 59, names: [] as string[] },
  { name: "hour", min: 0, max: 23, names: [] as string[] },
  { name: "day-of-month", min: 1, max: 31, names: [] as string[] },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day-of-week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
];

const CRON_MACRO_FIELDS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** One field of a valid schedule as the set of values it allows, and whether it was `*` or `?` (robfig/cron's star bit). */
function cronField(text: string, field: (typeof CRON_FIELDS)[number]): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  const value = (v: string) => (field.names.includes(v.toLowerCase()) ? field.names.indexOf(v.toLowerCase()) + field.min : Number(v));
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let [low, high] = [field.min, field.max];
    if (range === "*" || range === "?") {
      if (step === 1) star = true;
    } else {
      const [a, b] = range.split("-");
      low = value(a);
      high = b !== undefined ? value(b) : stepText !== undefined ? field.max : low;
    }
    for (let v = low; v <= high; v += step) values.add(v);
  }
  return { values, star };
}

/**
 * The longest time between two runs of a Kubernetes CronJob schedule (UTC), in seconds: the worst-case age
 * of the newest backup just before the next run. Infinity when the schedule never runs (e.g. 30 February).
 * Takes a schedule that cronScheduleProblem accepts.
 */
export function longestScheduleGapSeconds(schedule: string): number {
  return scheduleGapsSeconds(schedule).longest;
}

/**
 * The shortest time between two runs of a schedule, in seconds: how long a run may take before the next is
 * due. Infinity when the schedule runs at most once.
 */
export function shortestScheduleGapSeconds(schedule: string): number {
  return scheduleGapsSeconds(schedule).shortest;
}

function scheduleGapsSeconds(schedule: string): { longest: number; shortest: number } {
  const fields = (CRON_MACRO_FIELDS[schedule.trim()] ?? schedule.trim()).split(/\s+/).map((f, i) => cronField(f, CRON_FIELDS[i]));
  const [minutes, hours, days, months, weekdays] = fields;
  const times = [...hours.values].sort((a, b) => a - b).flatMap((h) => [...minutes.values].sort((a, b) => a - b).map((m) => h * 3600 + m * 60));
  // Eight years from a leap year cover every calendar (leap days, weekday and month-length cycles).
  const start = Date.UTC(2028, 0, 1) / 1000;
  let first: number | undefined;
  let previous: number | undefined;
  let longest = 0;
  let shortest = Infinity;
  for (let day = 0; day < 8 * 366; day++) {
    const midnight = start + day * 86400;
    const date = new Date(midnight * 1000);
    if (!months.values.has(date.getUTCMonth() + 1)) continue;
    const dom = days.values.has(date.getUTCDate());
    const dow = weekdays.values.has(date.getUTCDay());
    // Kubernetes (robfig/cron): if either day field is * or ?, both must match; otherwise either may.
    if (!(days.star || weekdays.star ? dom && dow : dom || dow)) continue;
    for (const t of times) {
      const run = midnight + t;
      if (previous !== undefined) {
        longest = Math.max(longest, run - previous);
        shortest = Math.min(shortest, run - previous);
      }
      first ??= run;
      previous = run;
    }
  }
  return first === undefined || first === previous ? { longest: Infinity, shortest: Infinity } : { longest, shortest };
}
