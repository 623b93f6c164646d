import type { Logger } from "pino";
import { postCompletedCheckRun } from "../checks/post-check-run.ts";
import type { PushEvent } from "../github/governance-events.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import { judgeLiveEnvironment, type LiveEnvironment, type LiveVerdict } from "../policy/judge-live-environment.ts";
import { fetchOrgPolicy, ORG_POLICY_PATH } from "../policy/load-org-policy.ts";
import { describePolicySource, type OrgPolicy } from "../policy/org-policy-schema.ts";
import { renderPolicyImpact } from "../policy/render-policy-review.ts";
import { isOrgSettingsRepository, POLICY_CHECK_NAME } from "./review-policy-pull-request.ts";

/** Most commits a push payload lists; past this the changed paths may be incomplete. */
export const MAX_PUSH_PAYLOAD_COMMITS = 2_048;

const DELETED_SHA = /^0{40}$/;

/**
 * After a push to the default branch of the org's `.github` repository that touches the org
 * policy, judges every live environment again under the merged policy. Denied environments
 * are flagged with a `paddock / policy` check run on their head commit, and also torn down
 * when `onPolicyChange` is `teardown`. A summary check run goes on the pushed commit. Resolves
 * false when the push does not concern the policy.
 */
export async function enforcePolicyPush(options: {
  event: PushEvent;
  octokit: GitHubRequester;
  listEnvironments?: () => Promise<LiveEnvironment[]>;
  teardown: (verdict: LiveVerdict) => void;
  now: () => Date;
  logger: Logger;
}): Promise<boolean> {
  const { event, octokit, now, logger } = options;
  const { owner, name: repo, defaultBranch } = event.repository;
  const touched = event.changedPaths.includes(ORG_POLICY_PATH) || event.commitCount >= MAX_PUSH_PAYLOAD_COMMITS;
  if (!isOrgSettingsRepository(event.repository) || event.ref !== `refs/heads/${defaultBranch}` || DELETED_SHA.test(event.after) || !touched) return false;
  const summarize = (review: { conclusion: "success" | "failure" | "neutral"; title: string; summary: string }) =>
    postCompletedCheckRun({ octokit, now: now(), run: { owner, repo, name: POLICY_CHECK_NAME, headSha: event.after, ...review } });

  // 1. The merged policy, read at the pushed commit.
  const lookup = await fetchOrgPolicy({ octokit, owner, ref: event.after });
  if (lookup.kind !== "policy") {
    const detail = lookup.kind === "unreadable" ? lookup.message : `${lookup.problems.length} problems, the first at line ${lookup.problems[0]?.line ?? 1}`;
    await summarize({ conclusion: "failure", title: "Merged org policy is unusable", summary: `**Every new environment is denied until the policy is fixed; live environments were left as they are.**\n\n${detail}` });
    logger.warn({ detail }, "merged org policy is unusable");
    return true;
  }

  // 2. Judge and act on every live environment.
  const listed = options.listEnvironments ? await options.listEnvironments() : undefined;
  const verdicts = (listed ?? []).map((environment) => judgeLiveEnvironment({ environment, policy: lookup.policy }));
  for (const verdict of verdicts.filter((candidate) => candidate.outcome === "deny")) {
    await act({ verdict, policy: lookup.policy, source: describePolicySource(lookup.source), octokit, now, logger, teardown: options.teardown });
  }
  const action = lookup.policy.onPolicyChange === "teardown" ? "torn down" : "flagged on their pull requests";
  await summarize(renderPolicyImpact({ verdicts, source: describePolicySource(lookup.source), action, listed: listed !== undefined }));
  return true;
}

async function act(options: {
  verdict: LiveVerdict;
  policy: OrgPolicy;
  source: string;
  octokit: GitHubRequester;
  now: () => Date;
  logger: Logger;
  teardown: (verdict: LiveVerdict) => void;
}): Promise<void> {
  const { verdict, policy, source, octokit, now } = options;
  const logger = options.logger.child({ environment: verdict.name });
  const tornDown = policy.onPolicyChange === "teardown";
  if (tornDown) options.teardown(verdict);

  const [owner, repo] = verdict.repository.split("/");
  if (!owner || !repo || !verdict.headSha) {
    logger.warn({ repository: verdict.repository }, "policy flag skipped: the environment names no repository or head commit");
    return;
  }
  const title = tornDown ? "Torn down: the org policy changed" : "Flagged: the org policy changed";
  const summary = [
    `**Environment \`${verdict.name}\` no longer complies with the ${source}.**`,
    ...verdict.reasons.map((reason) => `- ${reason}`),
    tornDown ? "It was torn down. Its next run is judged under the new policy." : "It keeps running until it expires; its next run is judged under the new policy and denied unless the settings change.",
  ].join("\n");
  try {
    await postCompletedCheckRun({ octokit, now: now(), run: { owner, repo, name: POLICY_CHECK_NAME, headSha: verdict.headSha, conclusion: "neutral", title, summary } });
    logger.info({ tornDown }, "environment flagged under the new org policy");
  } catch (error) {
    logger.error({ err: error, repository: verdict.repository }, "posting the policy flag failed");
  }
}
