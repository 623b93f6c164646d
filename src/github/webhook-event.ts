import { z } from "zod";
import { parseGovernanceEvent, type ApprovalRequestEvent, type PushEvent } from "./governance-events.ts";
import { accountSchema, branchNameSchema, commitShaSchema, installationSchema, repositorySchema, toEventRepository } from "./payload-schemas.ts";

/** Pull request actions Paddock acts on. */
export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "synchronize", "closed"] as const;

const pullRequestPayloadSchema = z.object({
  action: z.enum(PULL_REQUEST_ACTIONS),
  installation: installationSchema,
  repository: repositorySchema,
  sender: accountSchema,
  pull_request: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    merged: z.boolean().nullable().optional(),
    head: z.object({ sha: commitShaSchema, ref: branchNameSchema, repo: z.object({ full_name: z.string() }).nullable() }),
    base: z.object({ ref: branchNameSchema }),
  }),
});

const checkRunPayloadSchema = z.object({
  action: z.literal("rerequested"),
  installation: installationSchema,
  repository: repositorySchema,
  sender: accountSchema,
  check_run: z.object({
    id: z.number(),
    head_sha: commitShaSchema,
    external_id: z.string().nullable().optional(),
    pull_requests: z.array(z.object({ number: z.number() })).default([]),
    check_suite: z.object({ head_branch: z.string().nullable().optional() }).optional(),
  }),
});

/** The repository an event concerns. */
export interface EventRepository {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  defaultBranch: string;
}

/** The account that caused an event. */
export interface EventSender {
  login: string;
  id: number;
  type: string;
}

/** A pull request event reduced to what Paddock uses. */
export interface PullRequestEvent {
  kind: "pull_request";
  action: (typeof PULL_REQUEST_ACTIONS)[number];
  deliveryId: string;
  /** Null when the payload names no installation, as in some recorded examples; the app ignores those. */
  installationId: number | null;
  repository: EventRepository;
  sender: EventSender;
  pullRequest: { number: number; headSha: string; headRef: string; baseRef: string; headRepositoryFullName: string | null; state: string; merged: boolean };
}

/** Returns the identity of a pull request event that two hooks share although their delivery ids differ. */
export function describeEventIdentity(event: PullRequestEvent): string {
  return `event/${event.repository.id}/${event.pullRequest.number}/${event.pullRequest.headSha}/${event.action}`;
}

/** A request to run a check again, from the check run's "Re-run" button. */
export interface CheckRunRerequestEvent {
  kind: "check_run_rerequested";
  deliveryId: string;
  installationId: number | null;
  repository: EventRepository;
  sender: EventSender;
  checkRun: { id: number; headSha: string; externalId: string | null; pullRequests: number[] };
}

export type PaddockEvent = PullRequestEvent | CheckRunRerequestEvent | ApprovalRequestEvent | PushEvent;

/** Why an event was not turned into work. */
export type IgnoredEvent = { reason: "unsupported" | "invalid"; message: string };

/** Turns a webhook into a Paddock event, or returns why it is ignored. Never throws. */
export function parseWebhookEvent(options: { name: string; id: string; payload: unknown }): { event: PaddockEvent } | IgnoredEvent {
  const { name, id, payload } = options;
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
    return { reason: "invalid", message: `${name} payload is not a JSON object` };
  }
  const action = (payload as { action?: unknown }).action;
  const label = typeof action === "string" ? `${name}.${action}` : name;

  if (name === "pull_request" && PULL_REQUEST_ACTIONS.includes(action as never)) {
    return toEvent(label, pullRequestPayloadSchema.safeParse(payload), (data) => ({
      kind: "pull_request",
      action: data.action,
      deliveryId: id,
      installationId: data.installation?.id ?? null,
      repository: toEventRepository(data.repository),
      sender: data.sender,
      pullRequest: {
        number: data.pull_request.number,
        headSha: data.pull_request.head.sha,
        headRef: data.pull_request.head.ref,
        baseRef: data.pull_request.base.ref,
        headRepositoryFullName: data.pull_request.head.repo?.full_name ?? null,
        state: data.pull_request.state,
        merged: data.pull_request.merged ?? false,
      },
    }));
  }
  if (name === "check_run" && action === "rerequested") {
    return toEvent(label, checkRunPayloadSchema.safeParse(payload), (data) => ({
      kind: "check_run_rerequested",
      deliveryId: id,
      installationId: data.installation?.id ?? null,
      repository: toEventRepository(data.repository),
      sender: data.sender,
      checkRun: {
        id: data.check_run.id,
        headSha: data.check_run.head_sha,
        externalId: data.check_run.external_id ?? null,
        pullRequests: data.check_run.pull_requests.map((pull) => pull.number),
      },
    }));
  }
  const governance = parseGovernanceEvent({ name, id, payload, label });
  if (governance) return governance;
  return { reason: "unsupported", message: `event ${label} is not handled by Paddock` };
}

function toEvent<T>(
  label: string,
  parsed: z.ZodSafeParseResult<T>,
  build: (data: T) => PaddockEvent,
): { event: PaddockEvent } | IgnoredEvent {
  if (parsed.success) return { event: build(parsed.data) };
  // A custom issue carries its reason, such as why a branch name is not one git accepts.
  const fields = parsed.error.issues.map((issue) => {
    const field = issue.path.join(".") || "(payload)";
    return issue.code === "custom" ? `${field} (${issue.message})` : field;
  });
  return { reason: "invalid", message: `${label} payload is missing or has invalid fields: ${[...new Set(fields)].join(", ")}` };
}
