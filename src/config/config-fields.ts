import { z } from "zod";
import { describeUnsafeText } from "./process-safe-text.ts";
import { parseDurationSeconds } from "./units.ts";

/** Environment variable names a POSIX shell can use. */
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit. */
export const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A duration string such as `10m` or `24h`. */
export const durationSchema = z
  .string()
  .refine((value) => (parseDurationSeconds(value) ?? 0) > 0, {
    error: (issue) => `invalid duration ${JSON.stringify(issue.input)}: use a positive duration such as 90s, 10m, 24h or 1h30m`,
  })
  .describe("A duration such as 90s, 10m, 24h or 1h30m.");

/** Maximum environment lifetime a repository config or org policy may set: 365 days, in seconds. A typo guard, not a product limit. */
export const MAX_TTL_SECONDS = 365 * 86_400;

/** An environment lifetime such as `24h`, at most 365d. */
export const ttlSchema = durationSchema
  .refine((value) => (parseDurationSeconds(value) ?? 0) <= MAX_TTL_SECONDS, {
    error: (issue) => `ttl ${JSON.stringify(issue.input)} is longer than the maximum of 365d: set a shorter lifetime such as 24h or 7d`,
  })
  .describe("An environment lifetime such as 4h, 24h or 7d; at most 365d.");

/** Returns whether a path stays inside the checkout: relative, not empty and without `..` segments. */
export function isCheckoutRelativePath(path: string): boolean {
  return path !== "" && !path.startsWith("/") && !path.split("/").includes("..");
}

/**
 * Returns a refinement that rejects text a process cannot receive unchanged (see
 * `findUnsafeCharacter`), naming `field` in the message.
 */
export function rejectUnsafeText(field: string, options: { controls: boolean }) {
  return (value: string, context: z.RefinementCtx): void => {
    const message = describeUnsafeText({ field, value, controls: options.controls });
    if (message !== undefined) context.addIssue({ code: "custom", message });
  };
}

/** A map of environment variable names to values, such as a step's `env`. */
export const envMapSchema = z
  .record(
    z.string().regex(ENV_NAME_PATTERN, {
      error: (issue) => `invalid environment variable name ${JSON.stringify(issue.input)}: use letters, digits and '_', not starting with a digit`,
    }),
    z.string(),
  )
  .superRefine((env, context) => {
    for (const [name, value] of Object.entries(env)) {
      const message = describeUnsafeText({ field: `environment variable ${name}`, value, controls: false });
      if (message !== undefined) context.addIssue({ code: "custom", path: [name], message });
    }
  });
