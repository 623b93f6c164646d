import { describe, expect, it } from "vitest";
import { renderDetails } from "../../src/checks/render-details.ts";
import { renderSummary } from "../../src/checks/render-summary.ts";
import { makeView } from "./support/check-run-views.ts";

const NONE_LEFT_OUT = { omitted: 0, unlocated: 0 };

const FAILED_VIEW = makeView({
  conclusion: "failure",
  headline: "A service failed, so no step ran: service api was not ready after 5m: GET /healthz returned HTTP 503",
  services: [
    { name: "store", status: "ready", readyMs: 640 },
    { name: "api", status: "failed", reason: "service api was not ready after 5m: GET /healthz returned HTTP 503", outputTail: "api listening on 8080\n" },
    { name: "web", status: "skipped" },
  ],
  steps: [{ name: "test", status: "skipped" }],
});

describe("services on the check run", () => {
  it("summary lists services before steps", () => {
    const summary = renderSummary(FAILED_VIEW, NONE_LEFT_OUT);
    expect(summary.split("\n\n").slice(0, 3)).toEqual([
      "**A service failed, so no step ran: service api was not ready after 5m: GET /healthz returned HTTP 503**",
      [
        "| Service | Status | Ready after | Detail |",
        "| --- | --- | --- | --- |",
        "| store | ready | 640ms |  |",
        "| api | failed | – | service api was not ready after 5m: GET /healthz returned HTTP 503 |",
        "| web | skipped | – |  |",
      ].join("\n"),
      ["| Step | Status | Duration | Detail |", "| --- | --- | --- | --- |", "| test | skipped | – |  |"].join("\n"),
    ]);
  });

  it("details quote a failed service's output", () => {
    expect(renderDetails(FAILED_VIEW)).toBe(
      "### Service api failed\n\nservice api was not ready after 5m: GET /healthz returned HTTP 503. Last lines of its output:\n\n```\napi listening on 8080\n```",
    );
  });

  it("details say when a failed service wrote nothing", () => {
    const view = makeView({ services: [{ name: "db", status: "failed", reason: "service db exited with code 3 before it was ready" }], steps: [] });
    expect(renderDetails(view)).toBe("### Service db failed\n\nservice db exited with code 3 before it was ready. The service wrote no output.");
  });

  it("summary leaves the table out without services", () => {
    const summary = renderSummary(makeView({ steps: [{ name: "test", status: "queued" }] }), NONE_LEFT_OUT);
    expect(summary).not.toContain("| Service |");
  });
});
