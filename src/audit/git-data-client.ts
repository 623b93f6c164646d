import { PaddockError } from "../errors.ts";
import { describeRequestFailure, readRequestStatus, type GitHubRequest } from "./github-request.ts";

/** A file a new tree gets: by blob sha, or with its text inline. */
export type TreeFile = { path: string; sha: string } | { path: string; content: string };

/** The Git Data API calls the ledger makes on one repository. */
export interface GitDataClient {
  /** Returns the commit a branch points to. */
  readBranch(branch: string): Promise<string>;
  /** Returns the tree of a commit. */
  readCommitTree(commitSha: string): Promise<string>;
  /** Returns a file's text at a commit, or null when the file does not exist there. */
  readFile(options: { path: string; commitSha: string }): Promise<string | null>;
  createBlob(content: string): Promise<string>;
  createTree(options: { baseTree: string; files: readonly TreeFile[] }): Promise<string>;
  createCommit(options: { message: string; tree: string; parent: string }): Promise<string>;
  /** Moves a branch to a commit only as a fast-forward; "conflict" when another writer moved it first. */
  updateBranch(options: { branch: string; commitSha: string }): Promise<"updated" | "conflict">;
}

// GitHub rejects a ref update that is not a fast-forward with 422, and some races with 409.
const CONFLICT_STATUSES = new Set([409, 422]);

interface Repository {
  request: GitHubRequest;
  owner: string;
  repo: string;
}

/** Creates the client for `owner/repo`; every failure becomes a PaddockError naming the route. */
export function createGitDataClient(repository: Repository): GitDataClient {
  return {
    readBranch: (branch) => readBranch(repository, branch),
    readCommitTree: async (commitSha) => readSha((await call(repository, "GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { commit_sha: commitSha })).tree, "the commit's tree"),
    readFile: (options) => readFile(repository, options),
    createBlob: async (content) => {
      const data = await call(repository, "POST /repos/{owner}/{repo}/git/blobs", { content: Buffer.from(content, "utf8").toString("base64"), encoding: "base64" });
      return readSha(data, "the new blob");
    },
    createTree: async ({ baseTree, files }) => {
      const tree = files.map((file) => ({ path: file.path, mode: "100644", type: "blob", ...("sha" in file ? { sha: file.sha } : { content: file.content }) }));
      return readSha(await call(repository, "POST /repos/{owner}/{repo}/git/trees", { base_tree: baseTree, tree }), "the new tree");
    },
    createCommit: async ({ message, tree, parent }) =>
      readSha(await call(repository, "POST /repos/{owner}/{repo}/git/commits", { message, tree, parents: [parent] }), "the new commit"),
    updateBranch: (options) => updateBranch(repository, options),
  };
}

async function call(repository: Repository, route: string, parameters: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { request, owner, repo } = repository;
  try {
    return (await request(route, { owner, repo, ...parameters })).data as Record<string, unknown>;
  } catch (error) {
    throw describeRequestFailure({ error, route, repository: `${owner}/${repo}` });
  }
}

async function readBranch(repository: Repository, branch: string): Promise<string> {
  const { request, owner, repo } = repository;
  const route = "GET /repos/{owner}/{repo}/git/ref/{ref}";
  try {
    const response = await request(route, { owner, repo, ref: `heads/${branch}` });
    return readSha((response.data as { object?: unknown }).object, "the branch ref");
  } catch (error) {
    // A repository without commits returns 409 "Git Repository is empty".
    if (readRequestStatus(error) === 409) {
      throw new PaddockError("AUDIT_LEDGER_REJECTED", `the audit repository ${owner}/${repo} has no commits, so branch ${branch} does not exist`, {
        hint: `create ${owner}/${repo} with a first commit on ${branch}, for example a README`,
        cause: error,
      });
    }
    if (error instanceof PaddockError) throw error;
    throw describeRequestFailure({ error, route, repository: `${owner}/${repo}` });
  }
}

async function readFile(repository: Repository, options: { path: string; commitSha: string }): Promise<string | null> {
  const { request, owner, repo } = repository;
  try {
    const response = await request("GET /repos/{owner}/{repo}/contents/{path}", { owner, repo, path: options.path, ref: options.commitSha, mediaType: { format: "raw" } });
    return decodeFile(response.data);
  } catch (error) {
    if (readRequestStatus(error) === 404) return null;
    if (error instanceof PaddockError) throw error;
    throw describeRequestFailure({ error, route: "GET /repos/{owner}/{repo}/contents/{path}", repository: `${owner}/${repo}` });
  }
}

async function updateBranch(repository: Repository, options: { branch: string; commitSha: string }): Promise<"updated" | "conflict"> {
  const { request, owner, repo } = repository;
  try {
    await request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { owner, repo, ref: `heads/${options.branch}`, sha: options.commitSha, force: false });
    return "updated";
  } catch (error) {
    if (CONFLICT_STATUSES.has(readRequestStatus(error) ?? 0)) return "conflict";
    throw describeRequestFailure({ error, route: "PATCH /repos/{owner}/{repo}/git/refs/{ref}", repository: `${owner}/${repo}` });
  }
}

// The raw media type yields a string, or bytes when the response has no text content type.
function decodeFile(data: unknown): string {
  if (typeof data === "string") return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");
  const file = data as { content?: unknown; encoding?: unknown };
  if (typeof file.content === "string" && file.encoding === "base64") return Buffer.from(file.content, "base64").toString("utf8");
  throw new PaddockError("AUDIT_LEDGER_FAILED", "GitHub returned a file in an unexpected shape", { hint: "the next flush retries" });
}

/** Reads `sha` from a Git object GitHub returned. */
function readSha(object: unknown, what: string): string {
  const value = (object as { sha?: unknown } | null | undefined)?.sha;
  if (typeof value === "string" && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(value)) return value;
  throw new PaddockError("AUDIT_LEDGER_FAILED", `GitHub returned no valid sha for ${what}`, { hint: "the next flush retries" });
}
