import { createHash } from "node:crypto";

import * as tar from "tar";

import { githubErrorBody, jsonResponse, type FakeHandler, type FakeRequest, type FakeResponse } from "../support/fake-github-types.ts";

/** A repository the loopback GitHub serves. */
export interface ServedRepository {
  owner: string;
  repo: string;
  /** Repository id, as payloads carry it. */
  id: number;
  installationId: number;
  /** Files the contents API returns at every ref, by path. */
  files: Record<string, string>;
  /** Folder packed into the tarball of every ref; without it the tarball route returns 404. */
  sourceDirectory?: string;
}

/** The fields of a pull request Paddock reads back from GitHub. */
export interface ServedPullRequest {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  head: { sha: string; ref: string; repo: { full_name: string } | null };
  base: { ref: string };
  user: { login: string; id: number; type: string };
}

/**
 * Repositories, their files, tarballs and pull requests, and the API handlers over them. The
 * tarball route redirects to `codeloadOrigin`, another origin as on GitHub, where `serveDownload` serves it.
 */
export class RepositoryStore {
  readonly #repositories = new Map<string, ServedRepository>();
  readonly #pulls = new Map<string, ServedPullRequest>();
  readonly #archives = new Map<string, Promise<Buffer>>();
  readonly #codeloadOrigin: () => string;

  constructor(options: { codeloadOrigin: () => string }) {
    this.#codeloadOrigin = options.codeloadOrigin;
  }

  /** Adds or replaces a repository; its tarball is packed again on the next download. */
  serve(repository: ServedRepository): void {
    const key = repositoryKey(repository.owner, repository.repo);
    this.#repositories.set(key, structuredClone(repository));
    this.#archives.delete(key);
  }

  /** Stores a pull request; a later call with the same number replaces it. */
  setPullRequest(options: { owner: string; repo: string; pullRequest: ServedPullRequest }): void {
    this.#pulls.set(`${repositoryKey(options.owner, options.repo)}#${options.pullRequest.number}`, structuredClone(options.pullRequest));
  }

  /** Returns the installation a repository belongs to, or undefined when it is not served. */
  installationOf(owner: string, repo: string): number | undefined {
    return this.#repositories.get(repositoryKey(owner, repo))?.installationId;
  }

  /** The API handlers, keyed "METHOD /path/template". */
  get handlers(): Record<string, FakeHandler> {
    return {
      "GET /repos/{owner}/{repo}/installation": (request) => this.#withRepository(request, (repository) => jsonResponse(200, installationObject(repository))),
      "GET /repos/{owner}/{repo}/contents/{path}": (request) => this.#withRepository(request, (repository) => readContent(repository, request)),
      "GET /repos/{owner}/{repo}/tarball/{ref}": (request) =>
        this.#withRepository(request, (repository) => {
          if (!repository.sourceDirectory) return notFound(request);
          const location = `${this.#codeloadOrigin()}/${repository.owner}/${repository.repo}/legacy.tar.gz/${encodeURIComponent(request.params.ref ?? "")}`;
          return { status: 302, headers: { location } };
        }),
      "GET /repos/{owner}/{repo}/pulls/{pull_number}": (request) => {
        const pull = this.#pulls.get(`${repositoryKey(request.params.owner ?? "", request.params.repo ?? "")}#${Number(request.params.pull_number)}`);
        return pull ? jsonResponse(200, pull) : notFound(request);
      },
      "GET /repos/{owner}/{repo}/pulls": (request) => this.#withRepository(request, (repository) => this.#listOpen(repository, request)),
      // One commit stands for the whole history: its SHA is a hash of the files, so it changes when they do.
      "GET /repos/{owner}/{repo}/commits": (request) =>
        this.#withRepository(request, (repository) => jsonResponse(200, [{ sha: createHash("sha1").update(JSON.stringify(repository.files)).digest("hex") }])),
    };
  }

  /** Serves a codeload download path, `/<owner>/<repo>/legacy.tar.gz/<ref>`, with the gzipped source folder. */
  async serveDownload(path: string): Promise<FakeResponse> {
    const [, owner = "", repo = "", kind, ref = ""] = path.split("?")[0]!.split("/");
    const repository = this.#repositories.get(repositoryKey(owner, repo));
    if (kind !== "legacy.tar.gz" || !repository?.sourceDirectory) return { status: 404, body: "404: Not Found", headers: { "content-type": "text/plain" } };

    // GitHub names the folder after the commit; any ref of a loopback repository has the same content.
    const sha = /^[0-9a-f]{40}$/.test(ref) ? ref : createHash("sha1").update(ref).digest("hex");
    const key = `${repositoryKey(owner, repo)}@${sha.slice(0, 7)}`;
    let archive = this.#archives.get(key);
    if (!archive) {
      archive = packDirectory(repository.sourceDirectory, `${owner}-${repo}-${sha.slice(0, 7)}`);
      this.#archives.set(key, archive);
    }
    return { status: 200, body: await archive, headers: { "content-type": "application/x-gzip" } };
  }

  #withRepository(request: FakeRequest, answer: (repository: ServedRepository) => FakeResponse): FakeResponse {
    const repository = this.#repositories.get(repositoryKey(request.params.owner ?? "", request.params.repo ?? ""));
    return repository ? answer(repository) : notFound(request);
  }

  #listOpen(repository: ServedRepository, request: FakeRequest): FakeResponse {
    const prefix = `${repositoryKey(repository.owner, repository.repo)}#`;
    // GitHub's `head` filter is `user:ref-name`, and matches the head repository's owner and branch.
    const head = request.query.head === undefined ? undefined : String(request.query.head);
    const matchesHead = (pull: ServedPullRequest): boolean =>
      head === undefined || `${(pull.head.repo?.full_name ?? "").split("/")[0]}:${pull.head.ref}`.toLowerCase() === head.toLowerCase();
    const open = [...this.#pulls.entries()].filter(([key, pull]) => key.startsWith(prefix) && pull.state === "open" && matchesHead(pull)).map(([, pull]) => pull);
    const perPage = Number(request.query.per_page ?? 30);
    const page = Number(request.query.page ?? 1);
    return jsonResponse(200, open.slice((page - 1) * perPage, page * perPage));
  }
}

function readContent(repository: ServedRepository, request: FakeRequest): FakeResponse {
  const path = request.params.path ?? "";
  const text = repository.files[path];
  if (text === undefined) return notFound(request);
  const sha = createHash("sha1").update(`blob ${Buffer.byteLength(text)}\0${text}`).digest("hex");
  if ((request.headers.accept ?? "").includes("raw")) return { status: 200, body: text, headers: { "content-type": "application/vnd.github.raw; charset=utf-8" } };
  return jsonResponse(200, {
    type: "file",
    encoding: "base64",
    size: Buffer.byteLength(text),
    name: path.split("/").at(-1),
    path,
    content: Buffer.from(text).toString("base64"),
    sha,
  });
}

function installationObject(repository: ServedRepository): Record<string, unknown> {
  return { id: repository.installationId, account: { login: repository.owner }, repository_selection: "all", permissions: { checks: "write", contents: "read" } };
}

function notFound(request: FakeRequest): FakeResponse {
  return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
}

// GitHub treats owner and repository names case-insensitively.
function repositoryKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

async function packDirectory(directory: string, rootFolder: string): Promise<Buffer> {
  const stream = tar.create({ gzip: true, cwd: directory, prefix: rootFolder, portable: true, filter: (path) => !path.startsWith("./.git") }, ["."]);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
