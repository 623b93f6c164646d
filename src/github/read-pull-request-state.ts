import type { GitHubRequester } from "./repository-gateway.ts";

/** The live state of a pull request, read before an environment is provisioned. */
export interface PullRequestState {
  state: "open" | "closed";
  merged: boolean;
  headSha: string;
}

/** Reads a pull request's current state and head; events can arrive after it closed or moved on. */
export async function readPullRequestState(options: {
  octokit: GitHubRequester;
  owner: string;
  repo: string;
  number: number;
}): Promise<PullRequestState> {
  const { octokit, owner, repo, number } = options;
  const response = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner, repo, pull_number: number });
  const data = response.data as { state: string; merged?: boolean | null; head: { sha: string } };
  return { state: data.state === "open" ? "open" : "closed", merged: data.merged ?? false, headSha: data.head.sha };
}
