import type { EnvironmentKey } from "./environment-key.ts";
import { hashEnvironmentKey } from "./environment-name.ts";

/** Label every Paddock object carries, so one list call finds them all. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "paddock";
/** Prefix of Paddock's own labels and annotations. */
export const LABEL_PREFIX = "paddock.dev";

/**
 * Builds the identity labels: short, DNS-safe values derived from the key. `pullRequest` labels a
 * branch environment that a pull request from the same branch took over.
 */
export function buildEnvironmentLabels(options: { name: string; key: EnvironmentKey; pullRequest?: number | null }): Record<string, string> {
  const { name, key } = options;
  const pullRequest = "pullRequest" in key ? key.pullRequest : options.pullRequest;
  const labels: Record<string, string> = {
    [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
    [`${LABEL_PREFIX}/environment`]: name,
    [`${LABEL_PREFIX}/key`]: hashEnvironmentKey(key),
    [`${LABEL_PREFIX}/repository-id`]: String(key.repositoryId),
  };
  if (pullRequest) labels[`${LABEL_PREFIX}/pull-request`] = String(pullRequest);
  return labels;
}

/** Builds annotations with the raw names, which labels cannot hold. */
export function buildEnvironmentAnnotations(options: {
  repository: string;
  key: EnvironmentKey;
  /** The pull request that took over a branch environment; see buildEnvironmentLabels. */
  pullRequest?: number | null;
  branch: string;
  headSha: string;
  expiresAt: string;
}): Record<string, string> {
  const { repository, key, branch, headSha, expiresAt } = options;
  const pullRequest = "pullRequest" in key ? key.pullRequest : options.pullRequest;
  const annotations: Record<string, string> = {
    [`${LABEL_PREFIX}/repository`]: repository,
    [`${LABEL_PREFIX}/branch`]: branch,
    [`${LABEL_PREFIX}/head-sha`]: headSha,
    [`${LABEL_PREFIX}/expires-at`]: expiresAt,
  };
  if (pullRequest) annotations[`${LABEL_PREFIX}/pull-request`] = String(pullRequest);
  return annotations;
}
