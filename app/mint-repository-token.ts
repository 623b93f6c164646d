import type { Context } from "probot";
import type { RepositoryTokenMinter } from "../src/github/repository-gateway.ts";

/**
 * Returns a minter of installation tokens limited to reading one repository's contents, for
 * steps that fetch the source inside a cluster. Each call mints a fresh token.
 */
export function createRepositoryTokenMinter(options: { octokit: Context["octokit"]; repo: string }): RepositoryTokenMinter {
  return async () => {
    const authentication = (await options.octokit.auth({
      type: "installation",
      repositoryNames: [options.repo],
      permissions: { contents: "read" },
      refresh: true,
    })) as { token: string; expiresAt: string };
    return { token: authentication.token, expiresAt: authentication.expiresAt };
  };
}
