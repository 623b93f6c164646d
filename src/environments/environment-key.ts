/**
 * What an environment belongs to: one pull request, or one branch without a pull request.
 * The repository is identified by its numeric id, which survives renames and transfers.
 */
export type EnvironmentKey =
  | { repositoryId: number; pullRequest: number }
  | { repositoryId: number; branch: string };

/** Returns the canonical string of a key; equal keys always give the same string. */
export function formatEnvironmentKey(key: EnvironmentKey): string {
  return "pullRequest" in key
    ? `repository/${key.repositoryId}/pull/${key.pullRequest}`
    : `repository/${key.repositoryId}/branch/${key.branch}`;
}
