import pLimit from "p-limit";
import type { Logger } from "pino";
import { findExpiredEnvironments, readEnvironmentKey, type SweepVerdict } from "../environments/decide-sweep.ts";
import { LABEL_PREFIX } from "../environments/environment-labels.ts";
import type { GitHubRequester } from "../github/repository-gateway.ts";
import type { ListedEnvironment, Provider } from "../providers/provider.ts";
import { INSTALLATION_ANNOTATION } from "./run-annotations.ts";

/** What one sweep found and did. */
export interface SweepReport {
  listed: number;
  removed: SweepVerdict[];
  /** Repositories whose pull requests could not be read; their environments were left alone. */
  skippedRepositories: string[];
}

/** Most open pull requests listed per request, GitHub's maximum page size. */
const PULLS_PER_PAGE = 100;

/**
 * Repositories whose open pull requests are read at the same time. A sweep is background work,
 * so it keeps a few requests in flight and leaves room for the pipelines' own.
 */
export const SWEEP_REPOSITORY_CONCURRENCY = 8;

/** A repository the sweeper reads, with the installation its environments recorded, if any. */
export interface SweepTarget {
  /** `owner/name`. */
  repository: string;
  /** From the environments' installation annotation; undefined when none of them has one. */
  installationId: number | undefined;
}

/**
 * Sweeps environments: one list call to the provider, then per repository one list of its open
 * pull requests and one request per branch environment, `SWEEP_REPOSITORY_CONCURRENCY`
 * repositories at a time. Removes environments past their expiry, orphans, those whose pull
 * request is no longer open and those whose branch is gone, through `remove`, which must
 * serialise with other work for the key.
 */
export async function sweepEnvironments(options: {
  provider: Pick<Provider, "listEnvironments">;
  now: Date;
  /** GitHub access for a repository; undefined when Paddock is not installed there. */
  githubFor: (target: SweepTarget) => Promise<GitHubRequester | undefined>;
  remove: (verdict: SweepVerdict) => void;
  logger: Logger;
}): Promise<SweepReport> {
  const { provider, now, githubFor, remove, logger } = options;

  // 1. One list call, and the verdicts that need no GitHub request.
  const environments = await provider.listEnvironments();
  const removed = findExpiredEnvironments({ environments, now });
  const decided = new Set(removed.map((verdict) => verdict.name));

  // 2. Environments whose pull request is no longer open or whose branch is gone, a few repositories at a time.
  const skippedRepositories: string[] = [];
  const limit = pLimit(SWEEP_REPOSITORY_CONCURRENCY);
  const groups = groupByRepository(environments.filter((environment) => !decided.has(environment.name)));
  const checks = [...groups].map(([repository, group]) =>
    limit(async () => {
      try {
        const octokit = await githubFor({ repository, installationId: readInstallationId(group) });
        if (!octokit) return;
        const keyed = group.map((environment) => ({ environment, key: readEnvironmentKey(environment) }));
        const open = keyed.some(({ key }) => key && "pullRequest" in key) ? await listOpenPullRequests({ octokit, repository }) : new Set<number>();
        for (const { environment, key } of keyed) {
          if (key && "pullRequest" in key && !open.has(key.pullRequest)) {
            removed.push({ name: environment.name, reason: "closed", key, repository, detail: `pull request #${key.pullRequest} is not open` });
          }
          // A branch environment outlives its branch only when both deletion webhooks were lost.
          if (key && "branch" in key && !(await branchExists({ octokit, repository, branch: key.branch }))) {
            removed.push({ name: environment.name, reason: "branch_deleted", key, repository, detail: `branch ${key.branch} no longer exists` });
          }
        }
      } catch (error) {
        skippedRepositories.push(repository);
        logger.warn({ err: error, repository }, "sweep skipped a repository whose pull requests could not be read");
      }
    }),
  );
  await Promise.all(checks);

  // 3. Hand the removals to the queue.
  for (const verdict of removed) remove(verdict);
  logger.info({ listed: environments.length, removed: removed.length, skipped: skippedRepositories.length }, "sweep finished");
  return { listed: environments.length, removed, skippedRepositories };
}

function groupByRepository(environments: ListedEnvironment[]): Map<string, ListedEnvironment[]> {
  const groups = new Map<string, ListedEnvironment[]>();
  for (const environment of environments) {
    const repository = environment.annotations[`${LABEL_PREFIX}/repository`];
    if (!repository || !(environment.labels[`${LABEL_PREFIX}/pull-request`] || environment.annotations[`${LABEL_PREFIX}/branch`])) continue;
    groups.set(repository, [...(groups.get(repository) ?? []), environment]);
  }
  return groups;
}

/** Reads the installation the environments recorded when they were prepared; the first valid one wins. */
function readInstallationId(group: readonly ListedEnvironment[]): number | undefined {
  for (const environment of group) {
    const installationId = Number(environment.annotations[INSTALLATION_ANNOTATION]);
    if (Number.isInteger(installationId) && installationId > 0) return installationId;
  }
  return undefined;
}

/** Returns whether the branch exists; GitHub returns 404 for a deleted branch. */
async function branchExists(options: { octokit: GitHubRequester; repository: string; branch: string }): Promise<boolean> {
  const [owner, repo] = options.repository.split("/");
  try {
    await options.octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", { owner, repo, branch: options.branch });
    return true;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

async function listOpenPullRequests(options: { octokit: GitHubRequester; repository: string }): Promise<Set<number>> {
  const [owner, repo] = options.repository.split("/");
  const open = new Set<number>();
  for (let page = 1; ; page += 1) {
    const response = await options.octokit.request("GET /repos/{owner}/{repo}/pulls", { owner, repo, state: "open", per_page: PULLS_PER_PAGE, page });
    const pulls = response.data as Array<{ number: number }>;
    pulls.forEach((pull) => open.add(pull.number));
    if (pulls.length < PULLS_PER_PAGE) return open;
  }
}
