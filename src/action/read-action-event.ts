import { readFileSync } from "node:fs";
import { z } from "zod";
import type { EnvironmentKey } from "../environments/environment-key.ts";
import { nameEnvironment } from "../environments/environment-name.ts";
import { describeReadFailure } from "../describe-read-failure.ts";
import { PaddockError } from "../errors.ts";
import { describeInvalidBranchName } from "../github/git-branch-name.ts";
import type { EventRepository, EventSender } from "../github/webhook-event.ts";

/** Events the Action reads; see readActionEvent for what each one names. */
export const ACTION_EVENTS = ["pull_request", "push", "workflow_dispatch", "delete"] as const;

/** The commit, branch and actor a workflow run concerns, read from its event. */
export interface ActionEvent {
  /** GITHUB_EVENT_NAME, such as `pull_request`. */
  name: (typeof ACTION_EVENTS)[number];
  /** The event's `action`, such as `closed`; null for events without one. */
  action: string | null;
  repository: EventRepository;
  /** The workflow's actor (GITHUB_ACTOR), with id and type from the event's sender when it names the same account. */
  sender: EventSender;
  /** Null for a branch run, whose environment is keyed by the branch. */
  pullRequest: number | null;
  /** The pull request's head branch, or the branch of a branch run. */
  branch: string;
  /** The commit to build: the pull request's head or the branch's commit; null when the event names none. */
  headSha: string | null;
  /** `owner/name` of a pull request's head repository (null when the fork was deleted); undefined for a branch run. */
  headRepositoryFullName?: string | null;
  merged: boolean;
  /** The workflow run attempt's URL, recorded where the app records a webhook delivery id; null without GITHUB_RUN_ID. */
  deliveryId: string | null;
}

const accountSchema = z.object({ login: z.string(), id: z.number(), type: z.string() });
const shaSchema = z.string().regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/);
const repositorySchema = z.object({
  id: z.number(),
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  default_branch: z.string().optional(),
});
const basePayloadSchema = z.object({ repository: repositorySchema, sender: accountSchema.optional() });
const pullRequestPayloadSchema = basePayloadSchema.extend({
  action: z.string(),
  pull_request: z.object({
    number: z.number().int().positive(),
    merged: z.boolean().nullable().optional(),
    head: z.object({ sha: shaSchema, ref: z.string(), repo: z.object({ full_name: z.string() }).nullable() }),
  }),
});
const pushPayloadSchema = basePayloadSchema.extend({ ref: z.string(), after: z.string(), deleted: z.boolean().optional() });
const dispatchPayloadSchema = basePayloadSchema.extend({ ref: z.string() });
const deletePayloadSchema = basePayloadSchema.extend({ ref: z.string(), ref_type: z.string() });

const BRANCH_REF_PREFIX = "refs/heads/";
const DELETED_SHA = /^0+$/;

/**
 * Reads the workflow run's event from GITHUB_EVENT_PATH. A `pull_request` names the pull
 * request and its head commit. A `push` and a `workflow_dispatch` name their branch and its
 * commit (`after`, or GITHUB_SHA), and a `delete` of a branch names the branch alone. Throws a
 * USAGE error for other events, tags and malformed payloads.
 */
export function readActionEvent(env: NodeJS.ProcessEnv): ActionEvent {
  const name = ACTION_EVENTS.find((candidate) => candidate === env.GITHUB_EVENT_NAME);
  if (!name) {
    throw new PaddockError("EVENT_UNSUPPORTED", `event ${env.GITHUB_EVENT_NAME ?? "(GITHUB_EVENT_NAME is not set)"} is not supported by the Paddock Action`, {
      hint: `run the step on ${ACTION_EVENTS.join(", ")}`,
    });
  }
  if (!env.GITHUB_EVENT_PATH) throw new PaddockError("USAGE", "GITHUB_EVENT_PATH is not set", { hint: "run the Action in a GitHub Actions workflow" });
  const payload = readPayload(env.GITHUB_EVENT_PATH);
  const common = { name, deliveryId: describeRunAttempt(env) };

  switch (name) {
    case "pull_request": {
      const data = parsePayload(name, pullRequestPayloadSchema, payload);
      const pull = data.pull_request;
      return {
        ...common,
        ...describeAccounts(data, env),
        action: data.action,
        pullRequest: pull.number,
        branch: requireBranchName(pull.head.ref, "pull_request.head.ref"),
        headSha: pull.head.sha,
        headRepositoryFullName: pull.head.repo?.full_name ?? null,
        merged: pull.merged ?? false,
      };
    }
    case "push": {
      const data = parsePayload(name, pushPayloadSchema, payload);
      const deleted = data.deleted === true || DELETED_SHA.test(data.after);
      const headSha = deleted ? null : shaSchema.safeParse(data.after).data;
      if (headSha === undefined) throw new PaddockError("PAYLOAD_INVALID", `push payload has the invalid commit SHA ${JSON.stringify(data.after)}`);
      return { ...common, ...describeAccounts(data, env), action: null, pullRequest: null, branch: readBranch(data.ref), headSha, merged: false };
    }
    case "workflow_dispatch": {
      const data = parsePayload(name, dispatchPayloadSchema, payload);
      const headSha = shaSchema.safeParse(env.GITHUB_SHA).data;
      if (headSha === undefined) throw new PaddockError("USAGE", `GITHUB_SHA ${JSON.stringify(env.GITHUB_SHA ?? "")} is not a commit SHA`, { hint: "run the Action in a GitHub Actions workflow" });
      return { ...common, ...describeAccounts(data, env), action: null, pullRequest: null, branch: readBranch(data.ref), headSha, merged: false };
    }
    case "delete": {
      const data = parsePayload(name, deletePayloadSchema, payload);
      if (data.ref_type !== "branch") throw new PaddockError("EVENT_UNSUPPORTED", `delete of a ${data.ref_type} names no environment`, { hint: "filter the workflow to deleted branches" });
      return { ...common, ...describeAccounts(data, env), action: null, pullRequest: null, branch: requireBranchName(data.ref, "the deleted ref"), headSha: null, merged: false };
    }
  }
}

/** Returns the key of the event's environment: its pull request, or its branch. */
export function keyOfEvent(event: ActionEvent): EnvironmentKey {
  const repositoryId = event.repository.id;
  return event.pullRequest === null ? { repositoryId, branch: event.branch } : { repositoryId, pullRequest: event.pullRequest };
}

/** Returns the name of the event's environment, as the app names it. */
export function nameEventEnvironment(event: ActionEvent): string {
  return nameEnvironment({ repositoryName: event.repository.name, key: keyOfEvent(event) });
}

function readPayload(path: string): unknown {
  const label = `GITHUB_EVENT_PATH=${path}`;
  const hint = "run the Action in a GitHub Actions workflow, which writes the event file";
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PaddockError("PAYLOAD_INVALID", `${label}: ${describeReadFailure(error)}`, { hint, cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PaddockError("PAYLOAD_INVALID", `${label}: the event is not valid JSON (${(error as Error).message})`, { hint, cause: error });
  }
}

function parsePayload<T>(name: string, schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join(".") || "(payload)"))];
  throw new PaddockError("PAYLOAD_INVALID", `${name} payload is missing or has invalid fields: ${fields.join(", ")}`, { hint: "run the Action in a GitHub Actions workflow" });
}

function readBranch(ref: string): string {
  if (ref.startsWith(BRANCH_REF_PREFIX)) return requireBranchName(ref.slice(BRANCH_REF_PREFIX.length), `ref ${ref}`);
  throw new PaddockError("EVENT_UNSUPPORTED", `ref ${ref} is not a branch, so it has no environment`, { hint: "run the step on branches only" });
}

/** Checks `name` with the `git check-ref-format --branch` rules and returns it, or throws naming the field and the broken rule. */
function requireBranchName(name: string, field: string): string {
  const reason = describeInvalidBranchName(name);
  if (reason === undefined) return name;
  throw new PaddockError("PAYLOAD_INVALID", `${field} names the branch ${JSON.stringify(name)}, which is not a git branch name because ${reason}`, {
    hint: "run the Action on events GitHub sends for real branches",
  });
}

function describeAccounts(data: z.output<typeof basePayloadSchema>, env: NodeJS.ProcessEnv): Pick<ActionEvent, "repository" | "sender"> {
  const { repository } = data;
  return {
    repository: {
      id: repository.id,
      owner: repository.owner.login,
      name: repository.name,
      fullName: repository.full_name,
      defaultBranch: repository.default_branch ?? "main",
    },
    sender: describeActor(data.sender, env),
  };
}

// GITHUB_ACTOR names who started the run, and the sender carries the account's id and type. The
// sender is used when it names the same account. Otherwise the type is inferred from the `[bot]` suffix.
function describeActor(sender: EventSender | undefined, env: NodeJS.ProcessEnv): EventSender {
  const login = env.GITHUB_ACTOR || sender?.login;
  if (!login) throw new PaddockError("USAGE", "GITHUB_ACTOR is not set and the event has no sender", { hint: "run the Action in a GitHub Actions workflow" });
  if (sender && sender.login === login) return { login, id: sender.id, type: sender.type };
  const id = Number(env.GITHUB_ACTOR_ID);
  return { login, id: Number.isSafeInteger(id) && id >= 0 ? id : 0, type: login.endsWith("[bot]") ? "Bot" : "User" };
}

function describeRunAttempt(env: NodeJS.ProcessEnv): string | null {
  if (!env.GITHUB_RUN_ID || !env.GITHUB_REPOSITORY) return null;
  const server = env.GITHUB_SERVER_URL || "https://github.com";
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${env.GITHUB_RUN_ATTEMPT || "1"}`;
}
