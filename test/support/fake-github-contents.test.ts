import { Octokit } from "@octokit/rest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";
import { validateGitHubResponse } from "./openapi-response-validator.ts";

const OWNER = "octo-org";
const REPO = "widgets";
const CONFIG = "profile: agent\nttl: 2h\n";
const CONTENTS_ROUTE = "/repos/{owner}/{repo}/contents/{path}";
// Octokit logs every failed request to the console, and some of these tests expect a 404.
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let fake: FakeGitHub;
let octokit: Octokit;

beforeEach(() => {
  fake = createFakeGitHub();
  octokit = new Octokit({ auth: "ghp_test", log: SILENT_LOG });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

describe("fake GitHub contents", () => {
  it("serves a file as base64 like GitHub", async () => {
    fake.setFile({ owner: OWNER, repo: REPO, ref: "main", path: ".github/paddock.yml", content: CONFIG });

    const { data } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/paddock.yml", ref: "main" });

    expect(Array.isArray(data)).toBe(false);
    const file = data as { type: string; encoding: string; content: string; size: number; sha: string; name: string };
    expect(file.type).toBe("file");
    expect(file.encoding).toBe("base64");
    expect(file.name).toBe("paddock.yml");
    expect(file.size).toBe(CONFIG.length);
    expect(Buffer.from(file.content, "base64").toString("utf8")).toBe(CONFIG);
    // `printf "profile: agent\nttl: 2h\n" | git hash-object --stdin` prints this id.
    expect(file.sha).toBe("56eba42b9b776dfdd1efd0fc08cd1f76f47672e5");
    expect(validateGitHubResponse({ method: "GET", pathTemplate: CONTENTS_ROUTE, status: 200, body: data })).toEqual([]);
  });

  it("wraps base64 content at 60 characters", async () => {
    fake.setFile({ owner: OWNER, repo: REPO, ref: "main", path: "long.txt", content: "x".repeat(100) });

    const { data } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "long.txt", ref: "main" });

    const lines = (data as { content: string }).content.split("\n");
    expect(lines.map((line) => line.length)).toEqual([60, 60, 16, 0]);
  });

  it("returns 404 with GitHub's error body", async () => {
    const read = octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github/paddock.yml", ref: "main" });

    await expect(read).rejects.toMatchObject({
      status: 404,
      response: {
        data: {
          message: "Not Found",
          documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content",
          status: "404",
        },
      },
    });
  });

  it("keeps files of different refs apart", async () => {
    fake.setFile({ owner: OWNER, repo: REPO, ref: "agent/fix", path: "a.txt", content: "branch" });

    await expect(octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "a.txt", ref: "main" })).rejects.toMatchObject({ status: 404 });
    const { data } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "a.txt", ref: "agent/fix" });
    expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("branch");
  });

  it("uses the default branch without a ref", async () => {
    fake.setDefaultBranch({ owner: OWNER, repo: REPO, branch: "trunk" });
    fake.setFile({ owner: OWNER, repo: REPO, ref: "trunk", path: "a.txt", content: "on trunk" });

    const { data } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "a.txt" });

    expect(Buffer.from((data as { content: string }).content, "base64").toString()).toBe("on trunk");
  });

  it("serves the raw media type as text", async () => {
    fake.setFile({ owner: OWNER, repo: REPO, ref: "main", path: ".github/paddock.yml", content: CONFIG });

    const response = await octokit.rest.repos.getContent({
      owner: OWNER,
      repo: REPO,
      path: ".github/paddock.yml",
      mediaType: { format: "raw" },
    });

    expect(response.data).toBe(CONFIG);
    expect(response.headers["content-type"]).toBe("text/plain; charset=utf-8");
  });

  it("lists a directory", async () => {
    fake.setFile({ owner: OWNER, repo: REPO, ref: "main", path: ".github/paddock.yml", content: CONFIG });
    fake.setFile({ owner: OWNER, repo: REPO, ref: "main", path: ".github/workflows/ci.yml", content: "on: push\n" });

    const { data } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: ".github", ref: "main" });

    const entries = data as { name: string; type: string; path: string }[];
    expect(entries.map((entry) => [entry.type, entry.path])).toEqual([
      ["file", ".github/paddock.yml"],
      ["dir", ".github/workflows"],
    ]);
    expect(validateGitHubResponse({ method: "GET", pathTemplate: CONTENTS_ROUTE, status: 200, body: data })).toEqual([]);
  });

  it("matches owner and repository case-insensitively", async () => {
    fake.setFile({ owner: "Octo-Org", repo: "Widgets", ref: "main", path: "a.txt", content: "x" });

    const { status } = await octokit.rest.repos.getContent({ owner: OWNER, repo: REPO, path: "a.txt", ref: "main" });

    expect(status).toBe(200);
  });
});
