import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";
import { pullRequestPayload, QUICK_CONFIG, servePullRequest, serveRoles, shaOf } from "./governance-fixtures.ts";

const FORK = { "pull_request.head.repo.full_name": "stranger/Hello-World" };
const FIRST = shaOf("a");
const SECOND = shaOf("b");

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
  serveRoles(fake, { maintainer: "write", reader: "read" });
  fake.on("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", () => jsonResponse(200, []));
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Opens a fork pull request at `sha`; the app responds with a waiting check run. */
async function openFork(app: AppUnderTest, sha: string, action: "opened" | "synchronize" = "opened") {
  const payload = pullRequestPayload(action, sha, FORK);
  servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
  return payload;
}

/** Builds a real check_run.requested_action payload: the button pressed on the check run of `sha`. */
function buttonPress(options: { repository: unknown; sha: string; login: string; identifier?: string }) {
  return patchPayload(loadWebhookExample({ name: "check_run", action: "requested_action", withInstallation: true }), {
    repository: options.repository,
    "check_run.head_sha": options.sha,
    "requested_action.identifier": options.identifier ?? "approve:2",
    "sender.login": options.login,
    "sender.type": "User",
  });
}

/** Builds a real pull_request.labeled payload: `login` adds `label` to the fork pull request at `sha`. */
function labeled(options: { sha: string; login: string; label?: string }) {
  return patchPayload(loadWebhookExample({ name: "pull_request", action: "labeled", withInstallation: true }), {
    "label.name": options.label ?? "paddock:approve",
    "pull_request.head.sha": options.sha,
    "pull_request.head.repo.full_name": "stranger/Hello-World",
    "sender.login": options.login,
  });
}

function conclusions() {
  return fake.checkRuns().map((run) => [run.head_sha.slice(0, 1), run.conclusion]);
}

describe("fork approval", () => {
  it("button runs commit, push waits again", async () => {
    const app = await startApp({ quietMs: 0 });
    const opened = await openFork(app, FIRST);

    await app.receive({ name: "check_run", payload: buttonPress({ repository: opened.repository, sha: FIRST, login: "maintainer" }) });
    await app.service.onIdle();

    expect(conclusions()).toEqual([["a", "action_required"], ["a", "success"]]);
    expect(fake.checkRuns()[1]?.output.summary).toContain("- allowed under the fork profile");
    const approvals = readFileSync(join(app.stateDir, "approvals.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(approvals).toEqual([
      { repositoryId: opened.repository.id, pullRequest: 2, headSha: FIRST, login: "maintainer", permission: "write", via: "check-run button", at: expect.any(String) },
    ]);
    expect(fake.calls.filter((call) => call.operationId === "repos/get-collaborator-permission-level").map((call) => call.params.username)).toEqual(["maintainer"]);

    // A newer push is not covered by the approval of the older commit.
    await openFork(app, SECOND, "synchronize");
    expect(conclusions()).toEqual([["a", "action_required"], ["a", "success"], ["b", "action_required"]]);
    expect(fake.downloads.map((download) => download.path)).toEqual([expect.stringContaining(FIRST.slice(0, 7))]);
  });

  it("button for a stale commit rejected", async () => {
    const app = await startApp({ quietMs: 0 });
    const opened = await openFork(app, FIRST);
    await openFork(app, SECOND, "synchronize");

    await app.receive({ name: "check_run", payload: buttonPress({ repository: opened.repository, sha: FIRST, login: "maintainer" }) });
    await app.service.onIdle();

    const last = fake.checkRuns().at(-1);
    expect([last?.head_sha, last?.conclusion, last?.output.title]).toEqual([
      SECOND,
      "action_required",
      "Approval rejected: the approval was for commit aaaaaaa, but the head is now bbbbbbb: approve the new commit",
    ]);
    expect(fake.downloads).toEqual([]);
  });

  it("label from a writer runs commit", async () => {
    const app = await startApp({ quietMs: 0 });
    await openFork(app, FIRST);

    await app.receive({ name: "pull_request", payload: labeled({ sha: FIRST, login: "maintainer" }) });
    await app.service.onIdle();

    expect(conclusions()).toEqual([["a", "action_required"], ["a", "success"]]);
    const removed = fake.calls.filter((call) => call.operationId === "issues/remove-label");
    expect(removed.map((call) => [call.params.issue_number, call.params.name])).toEqual([["2", "paddock:approve"]]);
  });

  it("approver without write rejected", async () => {
    const app = await startApp({ quietMs: 0 });
    const opened = await openFork(app, FIRST);

    await app.receive({ name: "pull_request", payload: labeled({ sha: FIRST, login: "reader" }) });
    await app.receive({ name: "check_run", payload: buttonPress({ repository: opened.repository, sha: FIRST, login: "passer-by" }) });
    await app.service.onIdle();

    const titles = fake.checkRuns().map((run) => [run.conclusion, run.output.title]);
    expect(titles).toEqual([
      ["action_required", "Waiting for approval: nothing ran yet"],
      ["action_required", "Approval rejected: reader has the read role on Codertocat/Hello-World, and approving needs write or more"],
      ["action_required", "Approval rejected: passer-by has the none role on Codertocat/Hello-World, and approving needs write or more"],
    ]);
    expect(fake.checkRuns()[2]?.actions).toEqual([{ label: "Approve and run", description: "Run this commit in a Paddock environment", identifier: "approve:2" }]);
    expect(fake.downloads).toEqual([]);
  });

  it("other labels and buttons ignored", async () => {
    const app = await startApp({ quietMs: 0 });
    const opened = await openFork(app, FIRST);

    await app.receive({ name: "pull_request", payload: labeled({ sha: FIRST, login: "maintainer", label: "bug" }) });
    await app.receive({ name: "check_run", payload: buttonPress({ repository: opened.repository, sha: FIRST, login: "maintainer", identifier: "lgtm|26764" }) });
    await app.service.onIdle();

    expect(conclusions()).toEqual([["a", "action_required"]]);
    expect(app.logs.filter((line) => line.msg === "approval request ignored").map((line) => line.reason)).toEqual([
      'label "bug" is not a Paddock approval',
      'check-run button "lgtm|26764" is not a Paddock approval',
    ]);
  });
});
