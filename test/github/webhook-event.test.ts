import { describe, expect, it } from "vitest";
import { parseWebhookEvent } from "../../src/github/webhook-event.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";

const opened = loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true });

describe("parseWebhookEvent", () => {
  it("reduces a real pull_request payload", () => {
    const parsed = parseWebhookEvent({ name: "pull_request", id: "d1", payload: opened });
    expect(parsed).toEqual({
      event: expect.objectContaining({
        kind: "pull_request",
        action: "opened",
        deliveryId: "d1",
        installationId: opened.installation!.id,
        pullRequest: expect.objectContaining({ number: opened.pull_request.number, headSha: opened.pull_request.head.sha, headRef: opened.pull_request.head.ref }),
      }),
    });
  });

  it.each([
    ["a head SHA that is not a commit", { "pull_request.head.sha": "HEAD~1" }, "pull_request.head.sha"],
    ["a negative pull request number", { "pull_request.number": -5 }, "pull_request.number"],
    ["a missing repository", { repository: null }, "repository"],
  ])("rejects %s", (_case, patches, field) => {
    // Patched: one field broken per case, as a forged or corrupted delivery would carry it.
    const parsed = parseWebhookEvent({ name: "pull_request", id: "d2", payload: patchPayload(opened, patches) });
    expect(parsed).toEqual({ reason: "invalid", message: `pull_request.opened payload is missing or has invalid fields: ${field}` });
  });

  it.each([[[]], ["just a string"], [null], [7]])("rejects the non-object payload %j", (payload) => {
    expect(parseWebhookEvent({ name: "pull_request", id: "d3", payload })).toEqual({ reason: "invalid", message: "pull_request payload is not a JSON object" });
  });

  it("says which events are not handled", () => {
    expect(parseWebhookEvent({ name: "pull_request", id: "d4", payload: patchPayload(opened, { action: "assigned" }) })).toEqual({
      reason: "unsupported",
      message: "event pull_request.assigned is not handled by Paddock",
    });
  });
});

describe("parseWebhookEvent for branch pushes", () => {
  const tagDeleted = loadWebhookExample({ name: "delete", withInstallation: true });
  const pushed = loadWebhookExample({ name: "push", withInstallation: true });

  it("reads a push that deleted its ref", () => {
    const parsed = parseWebhookEvent({ name: "push", id: "d5", payload: pushed });

    expect(pushed.deleted).toBe(true);
    expect(parsed).toEqual({ event: expect.objectContaining({ kind: "push", ref: pushed.ref, deleted: true }) });
  });

  it("reads a branch deletion as a deleting push", () => {
    // Patched: the recorded delete event is a tag's; a branch's differs only in these fields.
    const payload = patchPayload(tagDeleted, { ref: "copilot/fix-login", ref_type: "branch" });

    const parsed = parseWebhookEvent({ name: "delete", id: "d6", payload });

    expect(parsed).toEqual({
      event: expect.objectContaining({ kind: "push", deliveryId: "d6", ref: "refs/heads/copilot/fix-login", after: "0".repeat(40), deleted: true, installationId: tagDeleted.installation!.id }),
    });
  });

  it("ignores the deletion of a tag", () => {
    expect(parseWebhookEvent({ name: "delete", id: "d7", payload: tagDeleted })).toEqual({ reason: "unsupported", message: "event delete of a tag is not handled by Paddock" });
  });

  it.each([
    ["push", { ref: "refs/heads/-x" }],
    ["push", { ref: "refs/heads/a..b" }],
    ["delete", { ref: "-x", ref_type: "branch" }],
  ] as const)("rejects a %s of a branch git forbids: %j", (name, patches) => {
    // Patched: a branch name that `git check-ref-format --branch` rejects.
    const payload = patchPayload(name === "push" ? pushed : tagDeleted, patches);

    expect(parseWebhookEvent({ name, id: "d9", payload })).toEqual({ reason: "invalid", message: `${name} payload is missing or has invalid fields: ref` });
  });

  it("rejects a deletion without a ref", () => {
    // Patched: the ref removed, as a corrupted delivery would carry it.
    const payload = patchPayload(tagDeleted, { ref: "", ref_type: "branch" });

    expect(parseWebhookEvent({ name: "delete", id: "d8", payload })).toEqual({ reason: "invalid", message: "delete payload is missing or has invalid fields: ref" });
  });
});
