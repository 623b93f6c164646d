import { createHash } from "node:crypto";

import * as tar from "tar";

import { githubErrorBody, jsonResponse, type FakeHandler, type FakeResponse } from "./fake-github-types.ts";

/** The host GitHub redirects archive downloads to. */
export const CODELOAD_ORIGIN = "https://codeload.github.com";

/** A local directory to serve as the tarball of one repository at one ref. */
export interface TarballSource {
  owner: string;
  repo: string;
  ref: string;
  directory: string;
  /** Commit SHA the archive's folder is named after; derived from `ref` when omitted. */
  sha?: string;
}

/** Where a registered tarball is served and how its entries are named. */
export interface RegisteredTarball {
  /** The single top-level folder, `<owner>-<repo>-<sha7>`, as in GitHub's archives. */
  rootFolder: string;
  sha: string;
  downloadUrl: string;
}

/** The registered tarballs, the API redirect handler and the codeload responder. */
export interface TarballStore {
  handlers: Record<string, FakeHandler>;
  setTarball(source: TarballSource): RegisteredTarball;
  /** Serves a GET request on codeload.github.com for `path` (with its query string). */
  serveDownload(path: string): Promise<FakeResponse>;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

/** Creates the tarball registry: `GET .../tarball/{ref}` redirects, codeload serves gzip. */
export function createTarballStore(): TarballStore {
  const sources = new Map<string, TarballSource & RegisteredTarball>();

  return {
    handlers: {
      "GET /repos/{owner}/{repo}/tarball/{ref}": (request) => {
        const { owner = "", repo = "", ref = "" } = request.params;
        const source = sources.get(sourceKey(owner, repo, ref));
        if (!source) return jsonResponse(404, githubErrorBody(404, "Not Found", request.documentationUrl));
        return { status: 302, headers: { location: source.downloadUrl } };
      },
    },

    setTarball(source) {
      const sha = source.sha ?? (FULL_SHA.test(source.ref) ? source.ref : derivedSha(source));
      const downloadUrl = `${CODELOAD_ORIGIN}/${source.owner}/${source.repo}/legacy.tar.gz/${encodeURIComponent(source.ref)}`;
      const registered = { rootFolder: `${source.owner}-${source.repo}-${sha.slice(0, 7)}`, sha, downloadUrl };
      sources.set(sourceKey(source.owner, source.repo, source.ref), { ...source, ...registered });
      return registered;
    },

    async serveDownload(path): Promise<FakeResponse> {
      const source = [...sources.values()].find((candidate) => candidate.downloadUrl === CODELOAD_ORIGIN + path);
      if (!source) return { status: 404, body: "404: Not Found", headers: { "content-type": "text/plain; charset=utf-8" } };

      const archive = await packDirectory(source.directory, source.rootFolder);
      const filename = `${source.rootFolder}.tar.gz`;
      return {
        status: 200,
        body: archive,
        headers: { "content-type": "application/x-gzip", "content-disposition": `attachment; filename=${filename}` },
      };
    },
  };
}

// GitHub treats owner and repository names case-insensitively; refs are case-sensitive.
function sourceKey(owner: string, repo: string, ref: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${ref}`;
}

function derivedSha(source: TarballSource): string {
  return createHash("sha1").update(`${source.owner}/${source.repo}@${source.ref}`).digest("hex");
}

/**
 * Packs the directory as a gzipped tarball whose entries all sit under `rootFolder/`. The
 * archive is rebuilt on each download, so later changes to the directory are served.
 * NOTE: GitHub's archives also carry a pax global header with the commit SHA; these do not.
 */
async function packDirectory(directory: string, rootFolder: string): Promise<Buffer> {
  // With a prefix, the "." entry becomes the top-level folder entry itself.
  const stream = tar.create({ gzip: true, cwd: directory, prefix: rootFolder, portable: true }, ["."]);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
