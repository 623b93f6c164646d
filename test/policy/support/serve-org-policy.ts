import type { FakeGitHub } from "../../support/fake-github.ts";
import { githubErrorBody, jsonResponse } from "../../support/fake-github-types.ts";

/** Commit the served org policy was last changed in, unless a test names another. */
export const POLICY_COMMIT = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";

/**
 * Serves an org policy from `<owner>/.github` the way GitHub would: the file on the default
 * branch and at the commit that last changed it, and that commit from the commits list when
 * it is filtered by the policy path. Other repositories' commit lists return 404.
 */
export function serveOrgPolicy(fake: FakeGitHub, options: { owner: string; text: string; commitSha?: string; branch?: string }): void {
  const { owner, text } = options;
  const commitSha = options.commitSha ?? POLICY_COMMIT;
  const branch = options.branch ?? "main";
  fake.setFile({ owner, repo: ".github", ref: branch, path: ".github/paddock-policy.yml", content: text });
  fake.setFile({ owner, repo: ".github", ref: commitSha, path: ".github/paddock-policy.yml", content: text });
  fake.on("GET /repos/{owner}/{repo}/commits", (request) => {
    const served = request.params.owner?.toLowerCase() === owner.toLowerCase() && request.params.repo === ".github" && request.query.path === ".github/paddock-policy.yml";
    if (!served) return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
    return jsonResponse(200, [{ sha: commitSha, commit: { message: "Change the org policy" } }]);
  });
}
