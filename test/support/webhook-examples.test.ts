import { describe, expect, it } from "vitest";

import { loadWebhookExample, patchPayload } from "./webhook-examples.ts";

describe("loadWebhookExample", () => {
  it("returns the first example with the action", () => {
    const payload = loadWebhookExample({ name: "pull_request", action: "opened" });

    expect(payload.action).toBe("opened");
    expect(payload.installation).toBeUndefined();
  });

  it("finds an example with an installation when asked", () => {
    const payload = loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true });

    expect(payload.action).toBe("opened");
    expect(typeof payload.installation?.id).toBe("number");
  });

  it("returns a copy each call", () => {
    const first = loadWebhookExample({ name: "pull_request", action: "closed", withInstallation: true });
    first.pull_request.merged = true;

    const second = loadWebhookExample({ name: "pull_request", action: "closed", withInstallation: true });
    expect(second.pull_request.merged).toBe(false);
  });

  it("loads an event without actions", () => {
    const payload = loadWebhookExample({ name: "push", withInstallation: true });

    expect(payload.ref.startsWith("refs/")).toBe(true);
  });

  it("names what exists when nothing matches", () => {
    expect(() => loadWebhookExample({ name: "pull_request", action: "merged" })).toThrow(
      /^No "pull_request" example has action "merged"; available: opened, assigned\+installation, /,
    );
  });
});

describe("patchPayload", () => {
  it("sets the listed fields on a copy", () => {
    const closed = loadWebhookExample({ name: "pull_request", action: "closed", withInstallation: true });

    const merged = patchPayload(closed, { "pull_request.merged": true, "pull_request.head.sha": "a".repeat(40) });

    expect(merged.pull_request.merged).toBe(true);
    expect(merged.pull_request.head.sha).toBe("a".repeat(40));
    expect(closed.pull_request.merged).toBe(false);
  });

  it("indexes arrays with numeric parts", () => {
    const payload = { pull_request: { labels: [{ name: "bug" }] } };

    expect(patchPayload(payload, { "pull_request.labels.0.name": "agent" }).pull_request.labels).toEqual([{ name: "agent" }]);
  });

  it("rejects a path that does not exist", () => {
    const payload = loadWebhookExample({ name: "pull_request", action: "opened" });

    expect(() => patchPayload(payload, { "pull_request.mergd": true })).toThrow(/^Cannot patch "pull_request.mergd": "mergd" does not exist \(keys: url, id, /);
  });
});
