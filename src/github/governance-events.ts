import { z } from "zod";
import { accountSchema, branchNameSchema, installationSchema, refNameSchema, repositorySchema, toEventRepository } from "./payload-schemas.ts";
import type { EventRepository, EventSender, IgnoredEvent } from "./webhook-event.ts";


const labeledSchema = z.object({
  action: z.literal("labeled"),
  installation: installationSchema,
  repository: repositorySchema,
  sender: accountSchema,
  label: z.object({ name: z.string() }),
  pull_request: z.object({ number: z.number(), head: z.object({ sha: z.string() }) }),
});

const requestedActionSchema = z.object({
  action: z.literal("requested_action"),
  installation: installationSchema,
  repository: repositorySchema,
  sender: accountSchema,
  requested_action: z.object({ identifier: z.string() }),
  check_run: z.object({ id: z.number(), head_sha: z.string() }),
});

const pushSchema = z.object({
  installation: installationSchema,
  repository: repositorySchema.extend({ default_branch: z.string() }),
  sender: accountSchema,
  ref: refNameSchema,
  after: z.string(),
  deleted: z.boolean().default(false),
  commits: z.array(z.object({ added: z.array(z.string()).default([]), modified: z.array(z.string()).default([]), removed: z.array(z.string()).default([]) })),
});

const deleteSchema = z.object({
  installation: installationSchema,
  repository: repositorySchema,
  sender: accountSchema,
  ref: branchNameSchema,
  ref_type: z.enum(["branch", "tag"]),
});

/** The `after` of a push that deleted its ref: forty zeros. */
export const DELETED_REF_SHA = "0".repeat(40);

/** A request to run a waiting commit: the check-run button, or a label on the pull request. */
export interface ApprovalRequestEvent {
  kind: "approval_request";
  via: "check-run button" | "label";
  deliveryId: string;
  installationId: number | null;
  repository: EventRepository;
  sender: EventSender;
  /** The label name, or the button's identifier. */
  signal: string;
  /** Set for a label; a button names its pull request in `signal`. */
  pullRequest?: number;
  /** The commit the approval is for: the check run's head, or the pull request's head when labeled. */
  headSha: string;
  checkRunId?: number;
}

/**
 * A push, reduced to what agent branches and re-judging live environments after a policy change
 * need. A `delete` event of a branch arrives as a push with `deleted` set.
 */
export interface PushEvent {
  kind: "push";
  deliveryId: string;
  installationId: number | null;
  repository: EventRepository;
  sender: EventSender;
  /** The full ref, such as `refs/heads/copilot/fix-login`. */
  ref: string;
  after: string;
  /** True when the push deleted the ref; `after` is then forty zeros. */
  deleted: boolean;
  /** Every path the pushed commits added, modified or removed, as far as the payload lists them. */
  changedPaths: string[];
  /** How many commits the payload lists; GitHub lists at most 2,048 and the paths may be incomplete past that. */
  commitCount: number;
}

/** Parses the events of org policy governance; undefined for any other event. */
export function parseGovernanceEvent(options: { name: string; id: string; payload: unknown; label: string }): { event: ApprovalRequestEvent | PushEvent } | IgnoredEvent | undefined {
  const { name, id, payload, label } = options;
  const action = (payload as { action?: unknown } | null)?.action;
  if (name === "pull_request" && action === "labeled") {
    return build(label, labeledSchema.safeParse(payload), (data) => ({
      kind: "approval_request", via: "label", deliveryId: id, installationId: data.installation?.id ?? null, repository: toEventRepository(data.repository),
      sender: data.sender, signal: data.label.name, pullRequest: data.pull_request.number, headSha: data.pull_request.head.sha,
    }));
  }
  if (name === "check_run" && action === "requested_action") {
    return build(label, requestedActionSchema.safeParse(payload), (data) => ({
      kind: "approval_request", via: "check-run button", deliveryId: id, installationId: data.installation?.id ?? null, repository: toEventRepository(data.repository),
      sender: data.sender, signal: data.requested_action.identifier, headSha: data.check_run.head_sha, checkRunId: data.check_run.id,
    }));
  }
  if (name === "push") {
    return build(label, pushSchema.safeParse(payload), (data) => ({
      kind: "push", deliveryId: id, installationId: data.installation?.id ?? null, repository: toEventRepository(data.repository), sender: data.sender,
      ref: data.ref, after: data.after, deleted: data.deleted || data.after === DELETED_REF_SHA, commitCount: data.commits.length,
      changedPaths: [...new Set(data.commits.flatMap((commit) => [...commit.added, ...commit.modified, ...commit.removed]))],
    }));
  }
  if (name === "delete") {
    const parsed = deleteSchema.safeParse(payload);
    if (parsed.success && parsed.data.ref_type === "tag") return { reason: "unsupported", message: "event delete of a tag is not handled by Paddock" };
    return build(label, parsed, (data) => ({
      kind: "push", deliveryId: id, installationId: data.installation?.id ?? null, repository: toEventRepository(data.repository), sender: data.sender,
      ref: `refs/heads/${data.ref}`, after: DELETED_REF_SHA, deleted: true, commitCount: 0, changedPaths: [],
    }));
  }
  return undefined;
}

function build<T, E>(label: string, parsed: z.ZodSafeParseResult<T>, make: (data: T) => E): { event: E } | IgnoredEvent {
  if (parsed.success) return { event: make(parsed.data) };
  const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "(payload)");
  return { reason: "invalid", message: `${label} payload is missing or has invalid fields: ${[...new Set(fields)].join(", ")}` };
}
