import type { GitHubRequester } from "./repository-gateway.ts";
import type { CheckRunRerequestEvent, PullRequestEvent } from "./webhook-event.ts";

interface PullRequestData {
  number: number;
  state: string;
  merged?: boolean | null;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string };
}

/**
 * Rebuilds the pull request event behind a re-requested check run, for the check run's own head
 * commit. Uses the pull requests GitHub lists on the check run (empty for forks), then the
 * pull requests that contain the commit. Resolves undefined when no open pull request matches.
 */
export async function findRerequestedPullRequest(options: {
  octokit: GitHubRequester;
  event: CheckRunRerequestEvent;
}): Promise<PullRequestEvent | undefined> {
  const { octokit, event } = options;
  const { owner, name: repo } = event.repository;

  let pull: PullRequestData | undefined;
  const number = event.checkRun.pullRequests[0];
  if (number !== undefined) {
    const response = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number });
    pull = response.data as PullRequestData;
  } else {
    const response = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", { owner, repo, commit_sha: event.checkRun.headSha });
    pull = (response.data as PullRequestData[]).find((candidate) => candidate.state === "open");
  }
  if (!pull || pull.state !== "open") return undefined;

  return {
    kind: "pull_request",
    action: "synchronize",
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    repository: event.repository,
    sender: event.sender,
    pullRequest: {
      number: pull.number,
      headSha: event.checkRun.headSha,
      headRef: pull.head.ref,
      baseRef: pull.base.ref,
      headRepositoryFullName: pull.head.repo?.full_name ?? null,
      state: pull.state,
      merged: pull.merged ?? false,
    },
  };
}
