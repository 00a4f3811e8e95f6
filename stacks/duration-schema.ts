import { z } from "zod";
import { durationSeconds } from "./formats";

/**
 * A duration the stack file sets (a `for`, a window, a retention, a deadline): Prometheus' grammar, above zero
 * (a zero `for` or window means something else to every consumer) and within what Prometheus holds, 292 years.
 */
export const positiveDuration = z
  .string({ error: "must be a Prometheus duration such as 30s, 5m, 12h or 30d" })
  .refine((text) => (durationSeconds(text) ?? 0) > 0, { error: "must be a Prometheus duration above zero and at most 292y, such as 30s, 5m, 12h or 30d" });
