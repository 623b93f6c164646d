import type { Logger } from "pino";
import type { CheckAnnotation } from "../checks/check-annotation.ts";
import { postCompletedCheckRun } from "../checks/post-check-run.ts";
import { readRepositoryFile, type GitHubRequester } from "../github/repository-gateway.ts";
import type { PullRequestEvent } from "../github/webhook-event.ts";
import { judgeLiveEnvironment, type LiveEnvironment } from "../policy/judge-live-environment.ts";
import { ORG_POLICY_PATH, ORG_SETTINGS_REPOSITORY, readOrgPolicy } from "../policy/load-org-policy.ts";
import { describePolicySource } from "../policy/org-policy-schema.ts";
import { renderInvalidPolicyReview, renderPolicyImpact } from "../policy/render-policy-review.ts";

/** Name of the check run that reviews an org policy change. */
export const POLICY_CHECK_NAME = "paddock / policy";

/** Returns whether a repository is the org's `.github` repository, where the org policy lives. */
export function isOrgSettingsRepository(repository: { name: string }): boolean {
  return repository.name.toLowerCase() === ORG_SETTINGS_REPOSITORY;
}

/**
 * Reviews a pull request on the org's `.github` repository that changes the org policy: posts
 * `paddock / policy` on its head commit, failed with annotations when the file is invalid, or
 * listing the live environments the new policy would deny or shrink. Resolves false, posting
 * nothing, when the pull request leaves the policy file as it is on the default branch.
 */
export async function reviewPolicyPullRequest(options: {
  event: PullRequestEvent;
  octokit: GitHubRequester;
  listEnvironments?: () => Promise<LiveEnvironment[]>;
  now: () => Date;
  logger: Logger;
}): Promise<boolean> {
  const { event, octokit, now, logger } = options;
  const { owner, name: repo, defaultBranch } = event.repository;
  const headSha = event.pullRequest.headSha;

  // 1. Only a change to the policy file gets a review.
  const [head, base] = await Promise.all([
    readRepositoryFile({ octokit, owner, repo, path: ORG_POLICY_PATH, ref: headSha }),
    readRepositoryFile({ octokit, owner, repo, path: ORG_POLICY_PATH, ref: defaultBranch }),
  ]);
  if (head?.text === base?.text) return false;

  // 2. Validate; an invalid file is annotated where it breaks.
  const location = `${event.repository.fullName}/${ORG_POLICY_PATH}@${headSha.slice(0, 12)}`;
  const lookup = readOrgPolicy({ text: head?.text, source: { location, repository: event.repository.fullName, path: ORG_POLICY_PATH, commitSha: headSha } });
  const post = (review: { conclusion: "success" | "failure" | "neutral"; title: string; summary: string }, annotations: CheckAnnotation[] = []) =>
    postCompletedCheckRun({ octokit, now: now(), run: { owner, repo, name: POLICY_CHECK_NAME, headSha, ...review, annotations } });
  if (lookup.kind !== "policy") {
    const problems = lookup.kind === "invalid" ? lookup.problems : [];
    const annotations = problems.map((problem) => ({
      path: problem.file,
      start_line: Math.max(1, problem.line),
      end_line: Math.max(1, problem.line),
      annotation_level: "failure" as const,
      title: problem.field ? `Invalid org policy: ${problem.field}` : "Invalid org policy",
      message: problem.field ? `${problem.field}: ${problem.message}` : problem.message,
    }));
    await post(renderInvalidPolicyReview(problems), annotations);
    logger.info({ problems: problems.length }, "org policy change reviewed: invalid");
    return true;
  }

  // 3. Judge the live environments under the new policy.
  const listed = options.listEnvironments ? await options.listEnvironments() : undefined;
  const verdicts = (listed ?? []).map((environment) => judgeLiveEnvironment({ environment, policy: lookup.policy }));
  const action = lookup.policy.onPolicyChange === "teardown" ? "torn down after merge" : "flagged on their pull requests after merge";
  await post(renderPolicyImpact({ verdicts, source: describePolicySource(lookup.source), action, listed: listed !== undefined }));
  logger.info({ environments: verdicts.length, denied: verdicts.filter((verdict) => verdict.outcome === "deny").length }, "org policy change reviewed");
  return true;
}
