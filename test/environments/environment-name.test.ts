import { describe, expect, it } from "vitest";
import { hashEnvironmentKey, MAX_DNS_LABEL_LENGTH, nameEnvironment, sanitizeDnsLabel } from "../../src/environments/environment-name.ts";

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

describe("nameEnvironment", () => {
  it("joins repository and pull request before the hash", () => {
    const name = nameEnvironment({ repositoryName: "Hello-World", key: { repositoryId: 1296269, pullRequest: 7 } });
    expect(name).toBe(`hello-world-pr-7-${hashEnvironmentKey({ repositoryId: 1296269, pullRequest: 7 })}`);
  });

  it("is stable for the same key", () => {
    const first = nameEnvironment({ repositoryName: "api", key: { repositoryId: 5, branch: "copilot/fix-1" } });
    const second = nameEnvironment({ repositoryName: "api", key: { repositoryId: 5, branch: "copilot/fix-1" } });
    expect(first).toBe(second);
  });

  it.each([
    ["upper case", "My.Repo", "Feature/ABC"],
    ["slash underscore dot plus", "repo_name.js", "feat/a_b.c+d"],
    ["non-ASCII", "café-ünïcode", "功能/分支-ñ"],
    ["only symbols", "___", "+++/..."],
    ["leading and trailing dashes", "-repo-", "-branch-"],
    ["very long", "a-repository-name-that-goes-on-and-on-for-quite-a-while", "agent/very-long-branch-name-".repeat(5)],
  ])("gives a valid DNS-1123 label for %s", (_case, repositoryName, branch) => {
    const name = nameEnvironment({ repositoryName, key: { repositoryId: 42, branch } });
    expect(name.length).toBeLessThanOrEqual(MAX_DNS_LABEL_LENGTH);
    expect(name).toMatch(DNS_LABEL);
  });

  it("keeps names unique when sanitised parts collide", () => {
    const names = ["Feature/X", "feature-x", "feature_x", "FEATURE.X", "feature+x"].map((branch) =>
      nameEnvironment({ repositoryName: "repo", key: { repositoryId: 1, branch } }),
    );
    expect(new Set(names).size).toBe(5);
    expect(names.every((name) => name.startsWith("repo-feature-x-"))).toBe(true);
  });

  it("keeps long names unique when they differ only past the cut", () => {
    const stem = "agent/".padEnd(80, "x");
    const first = nameEnvironment({ repositoryName: "repo", key: { repositoryId: 1, branch: `${stem}1` } });
    const second = nameEnvironment({ repositoryName: "repo", key: { repositoryId: 1, branch: `${stem}2` } });
    expect(first).not.toBe(second);
    expect(first.length).toBe(MAX_DNS_LABEL_LENGTH);
  });

  it("separates pull request and branch keys", () => {
    const pull = nameEnvironment({ repositoryName: "r", key: { repositoryId: 1, pullRequest: 1 } });
    const branch = nameEnvironment({ repositoryName: "r", key: { repositoryId: 1, branch: "pr-1" } });
    expect(pull).not.toBe(branch);
  });

  it("falls back to env when nothing readable is left", () => {
    const name = nameEnvironment({ repositoryName: "___", key: { repositoryId: 9, branch: "..." } });
    expect(name).toBe(`env-${hashEnvironmentKey({ repositoryId: 9, branch: "..." })}`);
  });
});

describe("sanitizeDnsLabel", () => {
  it("drops accents and collapses separators", () => {
    expect(sanitizeDnsLabel("Crème__Brûlée//Ünïcode")).toBe("creme-brulee-unicode");
  });
});
