import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { validateGitHubResponse } from "../support/openapi-response-validator.ts";
import { createAuditOctokit } from "./support/audit-octokit.ts";
import { createFakeGitRepository, type FakeGitRepository } from "./support/fake-git-repository.ts";

const REPO = { owner: "acme", repo: "paddock-audit" };

describe("createFakeGitRepository", () => {
  let fake: FakeGitHub;
  let repository: FakeGitRepository;
  const octokit = createAuditOctokit();

  beforeEach(() => {
    fake = createFakeGitHub();
    repository = createFakeGitRepository({ fake, ...REPO });
  });
  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
  });

  it("responds in GitHub's documented shapes", async () => {
    const ref = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...REPO, ref: "heads/main" });
    const commit = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...REPO, commit_sha: ref.data.object.sha });
    const blob = await octokit.request("POST /repos/{owner}/{repo}/git/blobs", { ...REPO, content: "aGk=", encoding: "base64" });
    const tree = await octokit.request("POST /repos/{owner}/{repo}/git/trees", { ...REPO, base_tree: commit.data.tree.sha, tree: [{ path: "a.txt", mode: "100644", type: "blob", sha: blob.data.sha }] });
    const created = await octokit.request("POST /repos/{owner}/{repo}/git/commits", { ...REPO, message: "m", tree: tree.data.sha, parents: [commit.data.sha] });
    const updated = await octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...REPO, ref: "heads/main", sha: created.data.sha, force: false });

    const responses: Array<[string, string, number, unknown]> = [
      ["GET", "/repos/{owner}/{repo}/git/ref/{ref}", 200, ref.data],
      ["GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", 200, commit.data],
      ["POST", "/repos/{owner}/{repo}/git/blobs", 201, blob.data],
      ["POST", "/repos/{owner}/{repo}/git/trees", 201, tree.data],
      ["POST", "/repos/{owner}/{repo}/git/commits", 201, created.data],
      ["PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", 200, updated.data],
    ];
    for (const [method, pathTemplate, status, body] of responses) {
      expect(validateGitHubResponse({ method, pathTemplate, status, body }), `${method} ${pathTemplate}`).toEqual([]);
    }
    expect(repository.files().get("a.txt")).toBe("hi");
  });

  it("rejects an update that is not a fast-forward", async () => {
    const ref = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", { ...REPO, ref: "heads/main" });
    const commit = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", { ...REPO, commit_sha: ref.data.object.sha });
    const sibling = await octokit.request("POST /repos/{owner}/{repo}/git/commits", { ...REPO, message: "sibling", tree: commit.data.tree.sha, parents: [] });

    const error = await octokit
      .request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { ...REPO, ref: "heads/main", sha: sibling.data.sha, force: false })
      .catch((caught: unknown) => caught as { status: number });

    expect(error.status).toBe(422);
    expect(repository.history().map((entry) => entry.message)).toEqual(["Initial commit"]);
  });

  it("serves raw file contents at a commit", async () => {
    repository.commitFile("head.json", "{}\n");
    const sha = repository.history()[0]!.sha;

    const file = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", { ...REPO, path: "head.json", ref: sha, mediaType: { format: "raw" } });

    expect(file.data).toBe("{}\n");
  });
});
