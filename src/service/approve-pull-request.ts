import type { Logger } from "pino";
import type { ApprovalRequestEvent } from "../github/governance-events.ts";
import { readCollaboratorRole } from "../github/read-collaborator-role.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { APPROVE_ACTION_PREFIX, APPROVE_LABEL } from "../policy/decision-view.ts";
import { roleMeetsLevel } from "../policy/describe-decision.ts";
import type { ApprovalStore } from "../policy/records/approval-store.ts";

/** Minimum role of an approver, because every approval level but `none` needs write or more. */
export const MIN_APPROVER_LEVEL = "write";

/** Outcome of an approval request. */
export type ApprovalOutcome =
  | { kind: "approved"; event: PullRequestEvent }
  | { kind: "rejected"; pullRequest: number; headSha: string; message: string }
  | { kind: "ignored"; reason: string };

interface PullRequestData {
  number: number;
  state: string;
  user: { login: string; id: number; type: string };
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string };
}

/**
 * Handles an approval from the check-run button or the approval label. The approver's role is
 * read from GitHub, never taken from the payload. An approval is recorded only for the commit
 * that is still the pull request's head, so a newer push needs a new approval. The label is
 * removed once used, so it can be added again for the next commit.
 */
export async function approvePullRequest(options: {
  event: ApprovalRequestEvent;
  octokit: GitHubRequester;
  approvals: ApprovalStore;
  now: Date;
  logger: Logger;
}): Promise<ApprovalOutcome> {
  const { event, octokit, logger } = options;
  const { owner, name: repo } = event.repository;

  // 1. Which pull request, from a signal Paddock itself set.
  const number = requestedPullRequest(event);
  if (number === undefined) return { kind: "ignored", reason: `${event.via} ${JSON.stringify(event.signal)} is not a Paddock approval` };
  const pull = (await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number })).data as PullRequestData;
  if (pull.state !== "open") return { kind: "ignored", reason: `pull request #${number} is ${pull.state}` };
  if (event.via === "label") await removeLabel({ octokit, owner, repo, number, logger });
  if (pull.head.sha !== event.headSha) {
    return { kind: "rejected", pullRequest: number, headSha: pull.head.sha, message: `the approval was for commit ${event.headSha.slice(0, 7)}, but the head is now ${pull.head.sha.slice(0, 7)}: approve the new commit` };
  }

  // 2. Who approves, checked through the API.
  const role = await readCollaboratorRole({ octokit, owner, repo, username: event.sender.login });
  if (!roleMeetsLevel(role, MIN_APPROVER_LEVEL)) {
    return { kind: "rejected", pullRequest: number, headSha: pull.head.sha, message: `${event.sender.login} has the ${role} role on ${event.repository.fullName}, and approving needs ${MIN_APPROVER_LEVEL} or more` };
  }

  // 3. Record, pinned to the head commit.
  await options.approvals.record({ repositoryId: event.repository.id, pullRequest: number, headSha: pull.head.sha, login: event.sender.login, permission: role, via: event.via, at: options.now.toISOString() });
  logger.info({ pullRequest: number, headSha: pull.head.sha, approver: event.sender.login, role, via: event.via }, "pull request head approved");
  return { kind: "approved", event: toPullRequestEvent(event, pull) };
}

function requestedPullRequest(event: ApprovalRequestEvent): number | undefined {
  if (event.via === "label") return event.signal === APPROVE_LABEL ? event.pullRequest : undefined;
  if (!event.signal.startsWith(APPROVE_ACTION_PREFIX)) return undefined;
  const number = Number(event.signal.slice(APPROVE_ACTION_PREFIX.length));
  return Number.isSafeInteger(number) && number > 0 ? number : undefined;
}

async function removeLabel(options: { octokit: GitHubRequester; owner: string; repo: string; number: number; logger: Logger }): Promise<void> {
  const { octokit, owner, repo, number, logger } = options;
  try {
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { owner, repo, issue_number: number, name: APPROVE_LABEL });
  } catch (error) {
    logger.warn({ err: error, pullRequest: number }, "removing the approval label failed");
  }
}

function toPullRequestEvent(event: ApprovalRequestEvent, pull: PullRequestData): PullRequestEvent {
  return {
    kind: "pull_request",
    action: "synchronize",
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    repository: event.repository,
    // The run is the author's work, not the approver's: the author's class and caps apply.
    sender: { login: pull.user.login, id: pull.user.id, type: pull.user.type },
    pullRequest: { number: pull.number, headSha: pull.head.sha, headRef: pull.head.ref, baseRef: pull.base.ref, headRepositoryFullName: pull.head.repo?.full_name ?? null, state: pull.state, merged: false },
  };
}
