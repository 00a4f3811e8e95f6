import { z } from "zod";
import { positiveDuration as duration } from "./duration-schema";
import { DNS_LABEL, durationSeconds } from "./formats";

/**
 * The `platform:alertRouting` key: who besides the platform team receives alerts, and how often.
 * Strict at every level like the rest of the stack schema. The platform team's own channel and mailbox stay
 * the top-level `slackChannel` and `alertEmailTo` keys; this key only adds the teams that own a `team` label.
 */

/** Same grammar and wording as the top-level `slackChannel` key. */
export const SLACK_CHANNEL = /^#[a-z0-9_-]{1,80}$/;

const slackChannel = z.string().regex(SLACK_CHANNEL, { error: "must be a Slack channel such as #alerts" });

const email = z.email({ error: "must be an email address" });

/** Alertmanager's notification timing of one route, in its own vocabulary (group_wait, group_interval, repeat_interval). */
export const RouteTimingSchema = z
  .strictObject({
    /** How long a new group waits for more alerts before its first notification. */
    groupWait: duration,
    /** How long a group waits before notifying about alerts added to it. */
    groupInterval: duration,
    /** How long before a still-firing group is notified again. */
    repeatInterval: duration,
  })
  // Alertmanager only re-sends on a group_interval tick, so a shorter repeat_interval silently becomes
  // group_interval; reject it instead of letting the stack file promise a cadence that never happens.
  .superRefine((timing, ctx) => {
    const group = durationSeconds(timing.groupInterval);
    const repeat = durationSeconds(timing.repeatInterval);
    if (group !== undefined && repeat !== undefined && repeat < group) {
      ctx.addIssue({
        code: "custom",
        path: ["repeatInterval"],
        message: `must not be shorter than groupInterval (${timing.groupInterval}); Alertmanager only repeats on a group_interval tick`,
      });
    }
  });

export const AlertTeamSchema = z.strictObject({
  /** Value of the `team` label the team's alerts carry (alert rules and namespace labels use the same names). */
  name: z.string().regex(DNS_LABEL, { error: "must be a DNS label (team: lower-case letters, digits and '-', at most 63)" }),
  /** Slack channel the team's alerts are posted to (through the stack's slackWebhookUrl). */
  slackChannel,
  /** Mailbox the team's alerts are sent to. */
  email,
});

export const AlertRoutingSchema = z.strictObject({
  timing: z.strictObject({
    /** Alerts without a critical or warning severity (they go to the platform team's mailbox). */
    default: RouteTimingSchema,
    critical: RouteTimingSchema,
    warning: RouteTimingSchema,
    /**
     * Watchdog's route to the dead man's switch (the heartbeatUrl secret): repeatInterval is how often the
     * heartbeat is sent, give or take one groupInterval. The heartbeat service must allow for that.
     */
    heartbeat: RouteTimingSchema,
  }),
  /** Teams whose alerts (label `team=<name>`) go to their own channel and mailbox instead of the platform team's. */
  teams: z.array(AlertTeamSchema).superRefine((teams, ctx) => {
    const names = teams.map((t) => t.name);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) ctx.addIssue({ code: "custom", path: [i, "name"], message: "duplicate team; list each team once" });
    });
  }),
});

export type AlertRoutingSettings = z.infer<typeof AlertRoutingSchema>;
export type AlertTeam = z.infer<typeof AlertTeamSchema>;
export type RouteTiming = z.infer<typeof RouteTimingSchema>;
