import { createHash } from "node:crypto";

import { githubErrorBody, jsonResponse, type FakeHandler, type FakeRequest, type FakeResponse } from "./fake-github-types.ts";

/** A file to serve from `GET /repos/{owner}/{repo}/contents/{path}` at one ref. */
export interface RepositoryFile {
  owner: string;
  repo: string;
  /** The branch, tag or commit SHA the file exists at. */
  ref: string;
  /** Path inside the repository, without a leading slash. */
  path: string;
  content: string | Buffer;
}

/** The in-memory files of the fake and the handler that serves them. */
export interface ContentStore {
  handlers: Record<string, FakeHandler>;
  setFile(file: RepositoryFile): void;
  /** Sets the ref used when a request has no `ref` query parameter; `main` until set. */
  setDefaultBranch(options: { owner: string; repo: string; branch: string }): void;
}

const DEFAULT_BRANCH = "main";

// GitHub wraps base64 file content at 60 characters per line, each line ending in "\n".
const BASE64_LINE_LENGTH = 60;

/** Creates the file map per repository and ref, served like GitHub's contents API. */
export function createContentStore(): ContentStore {
  const files = new Map<string, Map<string, Buffer>>();
  const defaultBranches = new Map<string, string>();

  const getContent: FakeHandler = (request) => {
    const repository = repositoryKey(request.params.owner ?? "", request.params.repo ?? "");
    const ref = typeof request.query.ref === "string" ? request.query.ref : (defaultBranches.get(repository) ?? DEFAULT_BRANCH);
    const path = (request.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const tree = files.get(`${repository}@${ref}`) ?? new Map<string, Buffer>();

    const file = tree.get(path);
    if (file) return fileResponse({ request, ref, path, content: file });

    const children = listDirectory(tree, path);
    if (children.length > 0) return jsonResponse(200, children.map((child) => directoryEntry(request, ref, child)));

    return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
  };

  return {
    handlers: { "GET /repos/{owner}/{repo}/contents/{path}": getContent },
    setFile(file) {
      const key = `${repositoryKey(file.owner, file.repo)}@${file.ref}`;
      const tree = files.get(key) ?? new Map<string, Buffer>();
      tree.set(file.path.replace(/^\/+/, ""), Buffer.from(file.content));
      files.set(key, tree);
    },
    setDefaultBranch({ owner, repo, branch }) {
      defaultBranches.set(repositoryKey(owner, repo), branch);
    },
  };
}

// GitHub treats owner and repository names case-insensitively.
function repositoryKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

interface DirectoryChild {
  name: string;
  path: string;
  type: "file" | "dir";
  size: number;
  sha: string;
}

function listDirectory(tree: Map<string, Buffer>, directory: string): DirectoryChild[] {
  const prefix = directory === "" ? "" : `${directory}/`;
  const children = new Map<string, DirectoryChild>();

  for (const [path, content] of tree) {
    if (!path.startsWith(prefix)) continue;
    const [name = "", ...rest] = path.slice(prefix.length).split("/");
    const childPath = prefix + name;
    if (rest.length === 0) children.set(name, { name, path: childPath, type: "file", size: content.length, sha: blobSha(content) });
    else if (!children.has(name)) children.set(name, { name, path: childPath, type: "dir", size: 0, sha: treeSha(childPath) });
  }
  return [...children.values()].sort((left, right) => left.name.localeCompare(right.name));
}

function fileResponse(options: { request: FakeRequest; ref: string; path: string; content: Buffer }): FakeResponse {
  const { request, ref, path, content } = options;
  const accept = request.headers.accept ?? "";

  // Octokit's `mediaType: { format: "raw" }` (used by Probot's context.config) requests the bare file.
  // NOTE: real GitHub's content type for raw files was not checked; text/plain is an assumption.
  if (/application\/vnd\.github(\.v3)?\.raw/.test(accept)) {
    return { status: 200, body: content, headers: { "content-type": "text/plain; charset=utf-8" } };
  }

  const sha = blobSha(content);
  return jsonResponse(200, {
    type: "file",
    encoding: "base64",
    size: content.length,
    name: path.split("/").pop(),
    path,
    content: wrapBase64(content.toString("base64")),
    sha,
    ...links(request, ref, { path, sha, type: "file" }),
  });
}

function directoryEntry(request: FakeRequest, ref: string, child: DirectoryChild): Record<string, unknown> {
  return {
    type: child.type,
    size: child.size,
    name: child.name,
    path: child.path,
    sha: child.sha,
    ...links(request, ref, child),
  };
}

function links(request: FakeRequest, ref: string, item: { path: string; sha: string; type: string }): Record<string, unknown> {
  const { owner, repo } = request.params;
  const url = `https://api.github.com/repos/${owner}/${repo}/contents/${item.path}?ref=${encodeURIComponent(ref)}`;
  const gitUrl = `https://api.github.com/repos/${owner}/${repo}/git/${item.type === "dir" ? "trees" : "blobs"}/${item.sha}`;
  const htmlUrl = `https://github.com/${owner}/${repo}/${item.type === "dir" ? "tree" : "blob"}/${ref}/${item.path}`;
  const downloadUrl = item.type === "dir" ? null : `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${item.path}`;
  return { url, git_url: gitUrl, html_url: htmlUrl, download_url: downloadUrl, _links: { self: url, git: gitUrl, html: htmlUrl } };
}

function wrapBase64(encoded: string): string {
  let wrapped = "";
  for (let start = 0; start < encoded.length; start += BASE64_LINE_LENGTH) {
    wrapped += `${encoded.slice(start, start + BASE64_LINE_LENGTH)}\n`;
  }
  return wrapped;
}

/** Git's object id for a blob: SHA-1 over `blob <size>\0<content>`. */
function blobSha(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

// A stable stand-in: the fake does not build real tree objects.
function treeSha(path: string): string {
  return createHash("sha1").update(`tree ${path}`).digest("hex");
}
