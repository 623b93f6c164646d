import type { SourceSpec } from "../providers/provider.ts";

/** The part of an Octokit client Paddock uses; Probot's, @octokit/rest's and @actions/github's all fit. */
export interface GitHubRequester {
  request: (route: string, parameters?: Record<string, unknown>) => Promise<{ status: number; data: unknown }>;
}

/** A file read from a repository at one commit. */
export interface RepositoryFile {
  path: string;
  text: string;
  /** Blob SHA of the file, so records can name exactly what was read. */
  sha: string;
}

/** Reads a file at a ref; resolves undefined when the file or the repository does not exist. */
export async function readRepositoryFile(options: {
  octokit: GitHubRequester;
  owner: string;
  repo: string;
  path: string;
  ref?: string;
}): Promise<RepositoryFile | undefined> {
  const { octokit, owner, repo, path, ref } = options;
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path,
      ...(ref ? { ref } : {}),
    });
    const data = response.data as { type?: string; content?: string; encoding?: string; sha?: string };
    if (data.type !== "file" || typeof data.content !== "string") return undefined;
    const text = data.encoding === "base64" ? Buffer.from(data.content, "base64").toString("utf8") : data.content;
    return { path, text, sha: data.sha ?? "" };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** A token limited to reading one repository's contents, for fetches inside a cluster. */
export type RepositoryTokenMinter = () => Promise<{ token: string; expiresAt: string }>;

/** Base URL of GitHub's REST API. */
/** GitHub's API URL, for a requester without its own base URL. */
export const GITHUB_API_URL = "https://api.github.com";

/**
 * Describes the head commit's source as GitHub's tarball of that commit. With `mintToken`, a
 * provider that fetches inside a cluster gets a fresh read-only token for this repository per step.
 */
export function tarballSource(options: { octokit: GitHubRequester; owner: string; repo: string; sha: string; mintToken?: RepositoryTokenMinter }): SourceSpec {
  const { octokit, owner, repo, sha, mintToken } = options;
  const url = describeTarballUrl({ octokit, owner, repo, sha });
  return {
    kind: "tarball",
    sha,
    ...(mintToken ? { credential: async () => ({ url, ...(await mintToken()) }) } : {}),
    open: async (signal) => {
      // parseSuccessResponseBody: false keeps the body a stream, so a large repository is never held in memory.
      const response = await octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", {
        owner,
        repo,
        ref: sha,
        request: { parseSuccessResponseBody: false, signal },
      });
      return response.data as ReadableStream<Uint8Array>;
    },
  };
}

/**
 * Returns the tarball URL on the requester's own GitHub (an Octokit's `request.endpoint` carries
 * its base URL, such as a GitHub Enterprise Server's `/api/v3`), so pods in a cluster download
 * from the same GitHub the app talks to. Pods send tokens over https only, so a GitHub the app
 * reaches over plain http (a test server) leaves the URL on api.github.com.
 */
export function describeTarballUrl(options: { octokit: GitHubRequester; owner: string; repo: string; sha: string }): string {
  const { octokit, owner, repo, sha } = options;
  const endpoint = (octokit.request as { endpoint?: (route: string, parameters: Record<string, unknown>) => { url: string } }).endpoint;
  const url = endpoint?.("GET /repos/{owner}/{repo}/tarball/{ref}", { owner, repo, ref: sha }).url;
  if (url?.startsWith("https://")) return url;
  return `${GITHUB_API_URL}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/tarball/${sha}`;
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { status?: unknown }).status === 404;
}
