import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FakeGitHub } from "../../support/fake-github.ts";
import { githubErrorBody, jsonResponse, type FakeHandler, type FakeRequest } from "../../support/fake-github-types.ts";

/** An in-memory Git repository behind the fake GitHub's Git Data and contents routes. */
export interface FakeGitRepository {
  /** The route handlers, so a test can wrap one, e.g. to hold requests back. */
  readonly handlers: Record<string, FakeHandler>;
  /** Returns the files at the branch's commit, by path. */
  files(): Map<string, string>;
  /** Returns the commits on the branch, newest first, following first parents. */
  history(): Array<{ sha: string; message: string }>;
  /** Replaces a file at the branch's commit with a direct commit, as a person with push access could. */
  commitFile(path: string, content: string): void;
  /** Writes the files at the branch's commit into a folder, as a checkout would. */
  writeCheckout(directory: string): void;
}

interface Commit {
  tree: string;
  parents: string[];
  message: string;
}

const API = "https://api.github.com";
const VERIFICATION = { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null };

/**
 * Creates the repository with one commit holding a README, and serves it on the fake for
 * `owner/repo`: refs, commits, blobs, trees and raw file contents. A ref update that is not a
 * fast-forward gets 422, as on GitHub.
 */
export function createFakeGitRepository(options: { fake: FakeGitHub; owner: string; repo: string; branch?: string }): FakeGitRepository {
  const { fake, owner, repo } = options;
  const refName = `heads/${options.branch ?? "main"}`;
  const blobs = new Map<string, Buffer>();
  const trees = new Map<string, Map<string, string>>();
  const commits = new Map<string, Commit>();
  const refs = new Map<string, string>();
  const base = `${API}/repos/${owner}/${repo}`;

  const putBlob = (content: Buffer) => {
    const sha = createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
    blobs.set(sha, content);
    return sha;
  };
  const putTree = (entries: Map<string, string>) => {
    const sha = createHash("sha1").update(`tree ${JSON.stringify([...entries].sort())}`).digest("hex");
    trees.set(sha, entries);
    return sha;
  };
  const putCommit = (commit: Commit) => {
    const sha = createHash("sha1").update(`commit ${commits.size} ${JSON.stringify(commit)}`).digest("hex");
    commits.set(sha, commit);
    return sha;
  };
  const branchFiles = () => trees.get(commits.get(refs.get(refName)!)!.tree)!;

  refs.set(refName, putCommit({ tree: putTree(new Map([["README.md", putBlob(Buffer.from("# Audit\n"))]])), parents: [], message: "Initial commit" }));

  const refBody = (ref: string) => ({ ref: `refs/${ref}`, node_id: "REF_1", url: `${base}/git/refs/${ref}`, object: { type: "commit", sha: refs.get(ref)!, url: `${base}/git/commits/${refs.get(ref)!}` } });
  const commitBody = (sha: string) => {
    const commit = commits.get(sha)!;
    const person = { name: "paddock-audit", email: "audit@example.com", date: "2026-12-04T10:00:00Z" };
    return {
      sha,
      node_id: `C_${sha.slice(0, 8)}`,
      url: `${base}/git/commits/${sha}`,
      html_url: `https://github.com/${owner}/${repo}/commit/${sha}`,
      author: person,
      committer: person,
      message: commit.message,
      tree: { sha: commit.tree, url: `${base}/git/trees/${commit.tree}` },
      parents: commit.parents.map((parent) => ({ sha: parent, url: `${base}/git/commits/${parent}`, html_url: `https://github.com/${owner}/${repo}/commit/${parent}` })),
      verification: VERIFICATION,
    };
  };
  const notFound = (request: FakeRequest) => jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));

  const handlers: Record<string, FakeHandler> = {
    "GET /repos/{owner}/{repo}/git/ref/{ref}": (request) => (refs.has(request.params.ref!) ? jsonResponse(200, refBody(request.params.ref!)) : notFound(request)),
    "GET /repos/{owner}/{repo}/git/commits/{commit_sha}": (request) =>
      commits.has(request.params.commit_sha!) ? jsonResponse(200, commitBody(request.params.commit_sha!)) : notFound(request),
    "GET /repos/{owner}/{repo}/contents/{path}": (request) => {
      const commit = commits.get(String(request.query.ref ?? refs.get(refName)));
      const blob = commit ? trees.get(commit.tree)!.get(request.params.path!) : undefined;
      if (!blob) return notFound(request);
      return { status: 200, body: blobs.get(blob)!, headers: { "content-type": "text/plain; charset=utf-8" } };
    },
    "POST /repos/{owner}/{repo}/git/blobs": (request) => {
      const body = request.body as { content: string; encoding?: string };
      const sha = putBlob(Buffer.from(body.content, body.encoding === "base64" ? "base64" : "utf8"));
      return jsonResponse(201, { sha, url: `${base}/git/blobs/${sha}` });
    },
    "POST /repos/{owner}/{repo}/git/trees": (request) => {
      const body = request.body as { base_tree?: string; tree: Array<{ path: string; sha?: string; content?: string }> };
      const entries = new Map(body.base_tree ? trees.get(body.base_tree) : []);
      for (const entry of body.tree) entries.set(entry.path, entry.sha ?? putBlob(Buffer.from(entry.content ?? "", "utf8")));
      const sha = putTree(entries);
      const tree = [...entries].map(([path, blob]) => ({ path, mode: "100644", type: "blob", sha: blob, size: blobs.get(blob)!.length, url: `${base}/git/blobs/${blob}` }));
      return jsonResponse(201, { sha, url: `${base}/git/trees/${sha}`, truncated: false, tree });
    },
    "POST /repos/{owner}/{repo}/git/commits": (request) => {
      const body = request.body as { message: string; tree: string; parents: string[] };
      return jsonResponse(201, commitBody(putCommit({ tree: body.tree, parents: body.parents, message: body.message })));
    },
    "PATCH /repos/{owner}/{repo}/git/refs/{ref}": (request) => {
      const ref = request.params.ref!;
      const body = request.body as { sha: string; force?: boolean };
      if (!refs.has(ref)) return jsonResponse(422, githubErrorBody(422, "Reference does not exist", request.documentationUrl));
      if (!body.force && !commits.get(body.sha)?.parents.includes(refs.get(ref)!)) {
        return jsonResponse(422, githubErrorBody(422, "Update is not a fast forward", request.documentationUrl));
      }
      refs.set(ref, body.sha);
      return jsonResponse(200, refBody(ref));
    },
  };
  for (const [route, handler] of Object.entries(handlers)) {
    // Other repositories do not exist on this fake.
    fake.on(route, (request) => (request.params.owner === owner && request.params.repo === repo ? handler(request) : notFound(request)));
  }

  return {
    handlers,
    files: () => new Map([...branchFiles()].map(([path, blob]) => [path, blobs.get(blob)!.toString("utf8")])),
    history() {
      const list: Array<{ sha: string; message: string }> = [];
      for (let sha: string | undefined = refs.get(refName); sha; sha = commits.get(sha)!.parents[0]) list.push({ sha, message: commits.get(sha)!.message });
      return list;
    },
    commitFile(path, content) {
      const entries = new Map(branchFiles());
      entries.set(path, putBlob(Buffer.from(content, "utf8")));
      refs.set(refName, putCommit({ tree: putTree(entries), parents: [refs.get(refName)!], message: `Edit ${path}` }));
    },
    writeCheckout(directory) {
      for (const [path, blob] of branchFiles()) {
        mkdirSync(dirname(join(directory, path)), { recursive: true });
        writeFileSync(join(directory, path), blobs.get(blob)!);
      }
    },
  };
}
