import type { ListedEnvironment } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { LABEL_PREFIX } from "./environment-labels.ts";

/** Why the sweeper removes an environment. */
export type SweepReason = "ttl" | "closed" | "merged" | "orphan" | "branch_deleted";

/** An environment the sweeper removes, with its key when the labels carry one. */
export interface SweepVerdict {
  name: string;
  reason: SweepReason;
  key?: EnvironmentKey;
  /** Repository `owner/name` from the environment's annotation, for the audit record. */
  repository?: string;
  detail: string;
}

/** Reads the environment key from its identity labels; undefined when they are missing or invalid. */
export function readEnvironmentKey(environment: ListedEnvironment): EnvironmentKey | undefined {
  const repositoryId = Number(environment.labels[`${LABEL_PREFIX}/repository-id`]);
  const pullRequest = Number(environment.labels[`${LABEL_PREFIX}/pull-request`]);
  const branch = environment.annotations[`${LABEL_PREFIX}/branch`];
  if (!Number.isInteger(repositoryId) || repositoryId <= 0) return undefined;
  if (Number.isInteger(pullRequest) && pullRequest > 0) return { repositoryId, pullRequest };
  return branch ? { repositoryId, branch } : undefined;
}

/**
 * Decides which environments to remove without asking GitHub: those past their expiry, and
 * orphans whose labels name no key. Pure; the rest are judged against GitHub's open pull requests.
 */
export function findExpiredEnvironments(options: { environments: readonly ListedEnvironment[]; now: Date }): SweepVerdict[] {
  const verdicts: SweepVerdict[] = [];
  for (const environment of options.environments) {
    const key = readEnvironmentKey(environment);
    const expiresAt = Date.parse(environment.annotations[`${LABEL_PREFIX}/expires-at`] ?? "");
    const repository = environment.annotations[`${LABEL_PREFIX}/repository`];
    if (!key) {
      verdicts.push({ name: environment.name, reason: "orphan", detail: "identity labels are missing or invalid" });
    } else if (Number.isFinite(expiresAt) && expiresAt <= options.now.getTime()) {
      verdicts.push({ name: environment.name, reason: "ttl", key, ...(repository ? { repository } : {}), detail: `expired at ${new Date(expiresAt).toISOString()}` });
    }
  }
  return verdicts;
}
