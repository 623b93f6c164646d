import type { GitHubRequester } from "./repository-gateway.ts";

/**
 * Reads a user's role on a repository: admin, maintain, write, triage or read, or `none` when
 * GitHub returns 404 (not a collaborator, or no such user). GitHub's `permission` field folds
 * maintain into write and triage into read, so `role_name` is preferred when present.
 */
export async function readCollaboratorRole(options: { octokit: GitHubRequester; owner: string; repo: string; username: string }): Promise<string> {
  const { octokit, owner, repo, username } = options;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner, repo, username });
    const data = response.data as { permission?: string; role_name?: string };
    return data.role_name || data.permission || "none";
  } catch (error) {
    if ((error as { status?: unknown }).status === 404) return "none";
    throw error;
  }
}
