import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import { Octokit } from "@octokit/rest";
import * as tar from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";

const OWNER = "octo-org";
const REPO = "widgets";
const HEAD_SHA = "ce587453ced02b1526dfb4cb910479d431683101";
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeGitHub;
let workDir: string;
let sourceDir: string;

beforeEach(async () => {
  fake = createFakeGitHub();
  workDir = await mkdtemp(join(tmpdir(), "paddock-tarball-"));
  sourceDir = join(workDir, "source");
  await mkdir(join(sourceDir, "src"), { recursive: true });
  await writeFile(join(sourceDir, "package.json"), '{ "name": "widgets" }\n');
  await writeFile(join(sourceDir, "src", "index.ts"), "export const answer = 42;\n");
});

afterEach(async () => {
  fake.close();
  fake.assertNoViolations();
  await rm(workDir, { recursive: true, force: true });
});

async function extract(archive: Buffer): Promise<string> {
  const target = join(workDir, "extracted");
  await mkdir(target);
  await pipeline(Readable.from(archive), tar.extract({ cwd: target }));
  return target;
}

describe("fake GitHub tarball", () => {
  it("redirects to codeload", async () => {
    const registered = fake.setTarball({ owner: OWNER, repo: REPO, ref: HEAD_SHA, directory: sourceDir });

    const response = await fetch(`https://api.github.com/repos/${OWNER}/${REPO}/tarball/${HEAD_SHA}`, {
      headers: { authorization: "token ghp_test" },
      redirect: "manual",
    });

    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`https://codeload.github.com/${OWNER}/${REPO}/legacy.tar.gz/${HEAD_SHA}`);
    expect(registered.rootFolder).toBe("octo-org-widgets-ce58745");
  });

  it("round-trips the directory through Octokit", async () => {
    fake.setTarball({ owner: OWNER, repo: REPO, ref: HEAD_SHA, directory: sourceDir });
    const octokit = new Octokit({ auth: "ghp_test", log: SILENT_LOG });

    const { data } = await octokit.rest.repos.downloadTarballArchive({ owner: OWNER, repo: REPO, ref: HEAD_SHA });
    const target = await extract(Buffer.from(data as ArrayBuffer));

    expect(await readdir(target)).toEqual(["octo-org-widgets-ce58745"]);
    const root = join(target, "octo-org-widgets-ce58745");
    expect(await readFile(join(root, "package.json"), "utf8")).toBe('{ "name": "widgets" }\n');
    expect(await readFile(join(root, "src", "index.ts"), "utf8")).toBe("export const answer = 42;\n");
    expect(fake.calls.map((call) => [call.operationId, call.status])).toEqual([["repos/download-tarball-archive", 302]]);
    expect(fake.downloads).toEqual([{ method: "GET", path: `/${OWNER}/${REPO}/legacy.tar.gz/${HEAD_SHA}`, status: 200 }]);
  });

  it("names the folder after the given sha for a branch", async () => {
    const registered = fake.setTarball({ owner: OWNER, repo: REPO, ref: "agent/fix", sha: HEAD_SHA, directory: sourceDir });

    expect(registered.downloadUrl).toBe(`https://codeload.github.com/${OWNER}/${REPO}/legacy.tar.gz/agent%2Ffix`);
    expect(registered.rootFolder).toBe("octo-org-widgets-ce58745");
  });

  it("returns 404 for an unregistered ref", async () => {
    const octokit = new Octokit({ auth: "ghp_test", log: SILENT_LOG });

    await expect(octokit.rest.repos.downloadTarballArchive({ owner: OWNER, repo: REPO, ref: "main" })).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.downloads).toEqual([]);
  });
});
