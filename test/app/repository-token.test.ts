import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Context } from "probot";
import { createRepositoryTokenMinter } from "../../app/mint-repository-token.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createTestProbot } from "../support/probot-harness.ts";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

describe("repository token minter", () => {
  it("asks for a read-only token limited to one repository", async () => {
    const { probot } = await createTestProbot({ appFn: () => undefined });
    const octokit = (await probot.auth(42)) as unknown as Context["octokit"];

    const minted = await createRepositoryTokenMinter({ octokit, repo: "widgets" })();

    const mints = fake.calls.filter((call) => call.operationId === "apps/create-installation-access-token");
    expect(mints.map((call) => call.body)).toEqual([{ repositories: ["widgets"], permissions: { contents: "read" } }]);
    expect(minted.token).toMatch(/^ghs_/);
    expect(Date.parse(minted.expiresAt)).toBeGreaterThan(Date.now());
  });
});
