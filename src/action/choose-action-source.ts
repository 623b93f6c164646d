import { resolveCommit } from "../cli/resolve-git-ref.ts";
import { PaddockError } from "../errors.ts";
import { tarballSource, type GitHubRequester } from "../github/repository-gateway.ts";
import type { Provider, SourceSpec } from "../providers/provider.ts";

/**
 * Lifetime a source credential claims. The token input is used as it is and cannot be
 * refreshed. The GITHUB_TOKEN lasts until the job ends, which is after this step, so an hour
 * from each step's start is a safe claim for it.
 * NOTE: an installation token from another action expires an hour after it was minted, so a
 * long pipeline can outlive it, and its steps then fail to download the source.
 */
export const ACTION_CREDENTIAL_LIFETIME_MS = 60 * 60_000;

/** GitHub access for downloading the commit: the token input and a client authenticated with it. */
export interface SourceAccess {
  octokit: GitHubRequester;
  token: string;
  /** GITHUB_API_URL, such as https://api.github.com. */
  apiUrl: string;
}

/**
 * Chooses where the provider gets the commit from. The Kubernetes provider downloads GitHub's
 * tarball inside the cluster with the token. The local provider reads the runner's checkout
 * when it contains the commit, else downloads the tarball with the token. Throws a USAGE error
 * naming the fix when neither works.
 */
export async function chooseActionSource(options: {
  provider: Provider["kind"];
  workspace: string;
  repository: { owner: string; name: string };
  sha: string;
  access: SourceAccess | undefined;
  now?: () => Date;
}): Promise<SourceSpec> {
  const { provider, workspace, repository, sha, access } = options;
  const now = options.now ?? (() => new Date());

  if (provider === "local" && (await resolveCommit({ repositoryDir: workspace, revision: sha })) === sha) {
    return { kind: "git", sha, repositoryDir: workspace };
  }
  if (!access) {
    const where = provider === "kubernetes" ? "the cluster downloads it from GitHub" : `commit ${sha.slice(0, 7)} is not in the checkout ${workspace}`;
    const fix =
      provider === "kubernetes"
        ? "set github-token so the cluster can download the commit"
        : "check out that commit (actions/checkout with `ref: ${{ github.event.pull_request.head.sha }}`), or set github-token so Paddock downloads it";
    throw new PaddockError("USAGE", `the source of commit ${sha.slice(0, 7)} cannot be fetched: ${where}`, { hint: fix });
  }

  const source = tarballSource({ octokit: access.octokit, owner: repository.owner, repo: repository.name, sha });
  const url = `${access.apiUrl.replace(/\/+$/, "")}/repos/${encodeURIComponent(repository.owner)}/${encodeURIComponent(repository.name)}/tarball/${sha}`;
  const credential = async () => ({ url, token: access.token, expiresAt: new Date(now().getTime() + ACTION_CREDENTIAL_LIFETIME_MS).toISOString() });
  if (provider === "local" || source.kind !== "tarball") return source;
  return { ...source, credential };
}
