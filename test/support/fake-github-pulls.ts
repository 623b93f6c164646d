import { githubErrorBody, jsonResponse, type FakeHandler } from "./fake-github-types.ts";

/** The pull requests a test registered, served by number. */
export interface PullRequestStore {
  handlers: Record<string, FakeHandler>;
  /** Stores a copy of `pullRequest` under its `number`; a later call replaces it. */
  setPullRequest(options: { owner: string; repo: string; pullRequest: { number: number } }): void;
}

/** Creates the pull request store behind `GET /repos/{owner}/{repo}/pulls/{pull_number}`. */
export function createPullRequestStore(): PullRequestStore {
  const pulls = new Map<string, unknown>();
  // GitHub treats owner and repository names case-insensitively.
  const key = (owner: string, repo: string, number: string | number) => `${owner}/${repo}#${number}`.toLowerCase();

  return {
    setPullRequest({ owner, repo, pullRequest }) {
      pulls.set(key(owner, repo, pullRequest.number), structuredClone(pullRequest));
    },
    handlers: {
      "GET /repos/{owner}/{repo}/pulls/{pull_number}": (request) => {
        const { owner = "", repo = "", pull_number: number = "" } = request.params;
        const pull = pulls.get(key(owner, repo, Number(number)));
        if (pull === undefined) return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
        return jsonResponse(200, structuredClone(pull));
      },
    },
  };
}
