import { describe, expect, it } from "vitest";
import { environmentActions, extendExpiry, parseEnvironmentAction } from "../../src/environments/environment-actions.ts";

describe("environment actions", () => {
  it("fit GitHub's button limits", () => {
    for (const action of environmentActions(123_456_789)) {
      expect(action.label.length).toBeLessThanOrEqual(20);
      expect(action.description.length).toBeLessThanOrEqual(40);
      expect(action.identifier.length).toBeLessThanOrEqual(20);
    }
  });

  it.each([
    ["extend:12", { kind: "extend", pullRequest: 12 }],
    ["destroy:7", { kind: "destroy", pullRequest: 7 }],
    ["destroy:-7", undefined],
    ["destroy:x", undefined],
    ["approve:7", undefined],
  ])("parses %s", (identifier, expected) => {
    expect(parseEnvironmentAction(identifier)).toEqual(expected);
  });

  it("extends by one step within the maximum", () => {
    const now = new Date("2026-12-01T10:00:00Z");
    expect(extendExpiry({ expiresAt: new Date("2026-12-01T12:00:00Z"), now, stepSeconds: 4 * 3600, maxSeconds: 24 * 3600 })).toEqual(new Date("2026-12-01T16:00:00Z"));
    expect(extendExpiry({ expiresAt: new Date("2026-12-02T08:00:00Z"), now, stepSeconds: 4 * 3600, maxSeconds: 24 * 3600 })).toEqual(new Date("2026-12-02T10:00:00Z"));
    expect(extendExpiry({ expiresAt: new Date("2026-12-02T10:00:00Z"), now, stepSeconds: 4 * 3600, maxSeconds: 24 * 3600 })).toBeUndefined();
  });
});
