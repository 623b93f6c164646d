import type { ListedEnvironment } from "../providers/provider.ts";
import type { EnvironmentKey } from "./environment-key.ts";
import { LABEL_PREFIX } from "./environment-labels.ts";
import { hashEnvironmentKey } from "./environment-name.ts";

/**
 * Finds the live environment of a pull request by its labels: its own, or the branch environment
 * it took over. Undefined when the pull request has none.
 */
export function findPullRequestEnvironment(
  environments: readonly ListedEnvironment[],
  target: { repositoryId: number; pullRequest: number },
): ListedEnvironment | undefined {
  return environments.find(
    (environment) =>
      environment.labels[`${LABEL_PREFIX}/repository-id`] === String(target.repositoryId) &&
      environment.labels[`${LABEL_PREFIX}/pull-request`] === String(target.pullRequest),
  );
}

/** Finds the environment created under `key`, by the key-hash label every environment carries. */
export function findKeyedEnvironment(environments: readonly ListedEnvironment[], key: EnvironmentKey): ListedEnvironment | undefined {
  const hash = hashEnvironmentKey(key);
  const repositoryId = String(key.repositoryId);
  return environments.find((environment) => environment.labels[`${LABEL_PREFIX}/key`] === hash && environment.labels[`${LABEL_PREFIX}/repository-id`] === repositoryId);
}

/**
 * Reads the key an environment was created under, checked against its key-hash label: the
 * branch key of a branch environment (also after a pull request took it over), or the pull
 * request key. Undefined when the labels do not match either.
 */
export function readIdentityKey(environment: ListedEnvironment): EnvironmentKey | undefined {
  const repositoryId = Number(environment.labels[`${LABEL_PREFIX}/repository-id`]);
  if (!Number.isInteger(repositoryId) || repositoryId <= 0) return undefined;
  const hash = environment.labels[`${LABEL_PREFIX}/key`];
  const branch = environment.annotations[`${LABEL_PREFIX}/branch`];
  const pullRequest = Number(environment.labels[`${LABEL_PREFIX}/pull-request`]);
  const candidates: EnvironmentKey[] = [
    ...(branch ? [{ repositoryId, branch }] : []),
    ...(Number.isInteger(pullRequest) && pullRequest > 0 ? [{ repositoryId, pullRequest }] : []),
  ];
  return candidates.find((candidate) => hashEnvironmentKey(candidate) === hash);
}
