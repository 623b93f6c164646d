import { z } from "zod";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { PULL_REQUEST_ACTIONS } from "../github/webhook-event.ts";
import { RUN_EVENT_ANNOTATION } from "./run-annotations.ts";

const accountSchema = z.object({ login: z.string(), id: z.number(), type: z.string() });

const repositorySchema = z.object({ id: z.number(), owner: z.string(), name: z.string(), fullName: z.string(), defaultBranch: z.string() });

const runEventSchema = z.object({
  kind: z.literal("pull_request"),
  action: z.enum(PULL_REQUEST_ACTIONS),
  deliveryId: z.string(),
  installationId: z.number().int().positive(),
  repository: repositorySchema,
  sender: accountSchema,
  pullRequest: z.object({
    number: z.number().int().positive(),
    headSha: z.string(),
    headRef: z.string(),
    baseRef: z.string(),
    headRepositoryFullName: z.string().nullable(),
    state: z.string(),
    merged: z.boolean(),
  }),
});

/**
 * Reads the pull request event an environment's latest run was started for, from the annotation
 * that annotateRuns writes. Returns undefined when the annotation is missing or not an event.
 */
export function readRunEvent(annotations: Record<string, string>): PullRequestEvent | undefined {
  const text = annotations[RUN_EVENT_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const parsed = runEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const branchRunEventSchema = z.object({
  deliveryId: z.string(),
  installationId: z.number().int().positive(),
  repository: repositorySchema,
  sender: accountSchema,
  pullRequest: z.object({ number: z.null(), headSha: z.string(), headRef: z.string() }),
});

/** The push event of a branch run without a pull request, as a run records it. */
export type BranchRunEvent = z.infer<typeof branchRunEventSchema>;

/**
 * Reads the push event an environment's latest branch run was started for, from the same
 * annotation. Returns undefined when the annotation is missing or contains a pull request's event.
 */
export function readBranchRunEvent(annotations: Record<string, string>): BranchRunEvent | undefined {
  const text = annotations[RUN_EVENT_ANNOTATION];
  if (text === undefined) return undefined;
  try {
    const parsed = branchRunEventSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
