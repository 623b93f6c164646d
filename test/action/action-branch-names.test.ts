import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { runActionStep } from "./action-step.ts";

const HINT = "run the Action on events GitHub sends for real branches";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

describe("Action branch names", () => {
  it.each([
    ["refs/heads/a..b", "a..b", "it contains '..'"],
    ["refs/heads/-x", "-x", "it starts with '-'"],
    ["refs/heads/a.lock", "a.lock", "a path component ends with '.lock'"],
  ])("push to %s fails", async (ref, branch, reason) => {
    const sample = createSampleRepository();
    // Patched: the example's tag becomes a branch git rejects.
    const payload = patchPayload(loadWebhookExample({ name: "push" }), { ref, after: sample.sha });

    const result = await runActionStep({ eventName: "push", payload, inputs: { command: "up", wait: "false" }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::ref ${ref} names the branch ${JSON.stringify(branch)}, which is not a git branch name because ${reason}. ${HINT}\n`);
  });

  it("workflow_dispatch on -x fails", async () => {
    const sample = createSampleRepository();
    const payload = patchPayload(loadWebhookExample({ name: "workflow_dispatch" }), { ref: "refs/heads/-x" });

    const result = await runActionStep({ eventName: "workflow_dispatch", payload, inputs: { command: "status" }, workspace: sample.directory, env: { GITHUB_SHA: sample.sha } });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::ref refs/heads/-x names the branch "-x", which is not a git branch name because it starts with '-'. ${HINT}\n`);
  });

  it("pull request head a..b fails", async () => {
    const sample = createSampleRepository();
    const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened" }), { "pull_request.head.ref": "a..b" });

    const result = await runActionStep({ eventName: "pull_request", payload, inputs: { command: "up", wait: "false" }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::pull_request.head.ref names the branch "a..b", which is not a git branch name because it contains '..'. ${HINT}\n`);
  });

  it("delete of branch -rf fails", async () => {
    const sample = createSampleRepository();
    const payload = patchPayload(loadWebhookExample({ name: "delete" }), { ref: "-rf", ref_type: "branch" });

    const result = await runActionStep({ eventName: "delete", payload, inputs: { command: "down" }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::the deleted ref names the branch "-rf", which is not a git branch name because it starts with '-'. ${HINT}\n`);
  });
});
