import { Octokit } from "@octokit/rest";
import { describe, expect, it } from "vitest";
import { describeTarballUrl } from "../../src/github/repository-gateway.ts";

const SHA = "a".repeat(40);

describe("describeTarballUrl", () => {
  it("uses the client's GitHub Enterprise base URL", () => {
    const octokit = new Octokit({ baseUrl: "https://ghe.example.com/api/v3" });

    expect(describeTarballUrl({ octokit, owner: "acme", repo: "shop", sha: SHA })).toBe(`https://ghe.example.com/api/v3/repos/acme/shop/tarball/${SHA}`);
  });

  it("keeps api.github.com for a plain-http GitHub", () => {
    const octokit = new Octokit({ baseUrl: "http://127.0.0.1:8080/api/v3" });

    expect(describeTarballUrl({ octokit, owner: "acme", repo: "shop", sha: SHA })).toBe(`https://api.github.com/repos/acme/shop/tarball/${SHA}`);
  });

  it("uses api.github.com by default", () => {
    expect(describeTarballUrl({ octokit: new Octokit(), owner: "acme", repo: "shop", sha: SHA })).toBe(`https://api.github.com/repos/acme/shop/tarball/${SHA}`);
  });

  it("encodes owner and repository", () => {
    const requester = { request: async () => ({ status: 200, data: null }) };

    expect(describeTarballUrl({ octokit: requester, owner: "a b", repo: "c/d", sha: SHA })).toBe(`https://api.github.com/repos/a%20b/c%2Fd/tarball/${SHA}`);
  });
});
