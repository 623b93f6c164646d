import { loadWebhookExample, patchPayload, type WebhookExample } from "../support/webhook-examples.ts";
import type { ServedPullRequest } from "./repository-store.ts";

/** What varies between the pull_request deliveries of the load and fault suites. */
export interface PullRequestEventSpec {
  action: "opened" | "synchronize" | "reopened" | "closed";
  owner: string;
  repo: string;
  repositoryId: number;
  installationId: number;
  number: number;
  headSha: string;
  /** Head branch; `feature/<number>` when unset. */
  headRef?: string;
  /** `owner/name` of the head repository; the base repository when unset, another one for a fork. */
  headRepositoryFullName?: string;
  sender?: { login: string; id: number; type: string };
}

/** A recorded `pull_request` payload of GitHub's, patched to one repository, installation, number and head. */
export type PullRequestPayload = WebhookExample<"pull_request", "opened">;

/**
 * Builds a real `pull_request` payload from `@octokit/webhooks-examples` (the first `opened`
 * example with an installation, about 25 KB of JSON), with the fields of `spec` patched in.
 */
export function buildPullRequestPayload(spec: PullRequestEventSpec): PullRequestPayload {
  const template = loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true });
  const fullName = `${spec.owner}/${spec.repo}`;
  const sender = spec.sender ?? { login: template.sender.login, id: template.sender.id, type: template.sender.type };
  return patchPayload(template, {
    action: spec.action,
    installation: { ...template.installation, id: spec.installationId },
    "repository.id": spec.repositoryId,
    "repository.name": spec.repo,
    "repository.full_name": fullName,
    "repository.owner.login": spec.owner,
    "sender.login": sender.login,
    "sender.id": sender.id,
    "sender.type": sender.type,
    "pull_request.number": spec.number,
    "pull_request.state": spec.action === "closed" ? "closed" : "open",
    "pull_request.head.sha": spec.headSha,
    "pull_request.head.ref": spec.headRef ?? `feature/${spec.number}`,
    "pull_request.head.repo.full_name": spec.headRepositoryFullName ?? fullName,
    "pull_request.user.login": sender.login,
    "pull_request.user.id": sender.id,
  });
}

/** Builds the pull request record the loopback GitHub serves for a payload: open unless the action closed it. */
export function toServedPullRequest(payload: PullRequestPayload): ServedPullRequest {
  const pull = payload.pull_request;
  return {
    number: pull.number,
    state: (payload.action as string) === "closed" ? "closed" : "open",
    merged: false,
    head: { sha: pull.head.sha, ref: pull.head.ref, repo: pull.head.repo ? { full_name: pull.head.repo.full_name } : null },
    base: { ref: pull.base.ref },
    user: { login: pull.user.login, id: pull.user.id, type: pull.user.type },
  };
}

/** What varies between the push deliveries of the loopback suites. */
export interface PushEventSpec {
  owner: string;
  repo: string;
  repositoryId: number;
  installationId: number;
  branch: string;
  headSha: string;
  sender: { login: string; id: number; type: string };
}

/** Builds a real `push` payload from `@octokit/webhooks-examples`, moved to one repository, installation, branch and head commit. */
export function buildPushPayload(spec: PushEventSpec): WebhookExample<"push", never> {
  const template = loadWebhookExample({ name: "push", withInstallation: true });
  // Patched: the recorded push with an installation deletes a tag; these fields make it a branch push.
  return patchPayload(template, {
    installation: { ...template.installation, id: spec.installationId },
    "repository.id": spec.repositoryId,
    "repository.name": spec.repo,
    "repository.full_name": `${spec.owner}/${spec.repo}`,
    "repository.owner.login": spec.owner,
    ref: `refs/heads/${spec.branch}`,
    after: spec.headSha,
    created: false,
    deleted: false,
    "sender.login": spec.sender.login,
    "sender.id": spec.sender.id,
    "sender.type": spec.sender.type,
  });
}
