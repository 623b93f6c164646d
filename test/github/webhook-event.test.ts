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

  it("says which events are not handled", () => {
    expect(parseWebhookEvent({ name: "pull_request", id: "d3", payload: [] })).toEqual({ reason: "unsupported", message: "event pull_request is not handled by Paddock" });
    expect(parseWebhookEvent({ name: "pull_request", id: "d4", payload: patchPayload(opened, { action: "assigned" }) })).toEqual({
      reason: "unsupported",
      message: "event pull_request.assigned is not handled by Paddock",
    });
  });
});
