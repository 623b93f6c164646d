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
 * pull requests, `SWEEP_REPOSITORY_CONCURRENCY` repositories at a time. Removes environments past their expiry, orphans, and those whose pull request
 * is no longer open, through `remove`, which must serialise with other work for the key.
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

  // 2. Pull request environments whose pull request is no longer open, a few repositories at a time.
  const skippedRepositories: string[] = [];
  const limit = pLimit(SWEEP_REPOSITORY_CONCURRENCY);
  const groups = groupByRepository(environments.filter((environment) => !decided.has(environment.name)));
  const checks = [...groups].map(([repository, group]) =>
    limit(async () => {
      try {
        const octokit = await githubFor({ repository, installationId: readInstallationId(group) });
        if (!octokit) return;
        const open = await listOpenPullRequests({ octokit, repository });
        for (const environment of group) {
          const key = readEnvironmentKey(environment);
          if (key && "pullRequest" in key && !open.has(key.pullRequest)) {
            removed.push({ name: environment.name, reason: "closed", key, repository, detail: `pull request #${key.pullRequest} is not open` });
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
    if (!repository || !environment.labels[`${LABEL_PREFIX}/pull-request`]) continue;
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
