import { describe, expect, it } from "vitest";
import { MAX_CHECK_TITLE_CHARACTERS, renderTitle } from "../../src/checks/render-title.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

const failure = { file: "test/a.test.js", line: 3, title: "adds", message: "expected 2" };

describe("renderTitle", () => {
  it("counts passed steps and failed tests", () => {
    const view = makeView({
      steps: [
        finishedStep({ name: "install", status: "success" }),
        finishedStep({ name: "build", status: "success" }),
        finishedStep({ name: "test", status: "failure" }, { failures: [failure] }),
      ],
      conclusion: "failure",
    });

    expect(renderTitle(view)).toBe("2 of 3 steps passed · 1 test failed");
  });

  it("counts passed tests from report counts", () => {
    const view = makeView({
      steps: [finishedStep({ name: "test", status: "success" }, { tests: { total: 42, failed: 0, errors: 0, skipped: 2 } })],
    });

    expect(renderTitle(view)).toBe("1 of 1 step passed · 40 tests passed");
  });

  it("adds errors to failed tests", () => {
    const view = makeView({
      steps: [finishedStep({ name: "test", status: "failure" }, { tests: { total: 10, failed: 2, errors: 1, skipped: 0 }, failures: [failure] })],
    });

    expect(renderTitle(view)).toBe("0 of 1 step passed · 3 tests failed");
  });

  it("names the running step", () => {
    const view = makeView({
      status: "in_progress",
      steps: [finishedStep({ name: "build", status: "success" }), { name: "test", status: "running" }, { name: "lint", status: "queued" }],
    });

    expect(renderTitle(view)).toBe("Running test (step 2 of 3)");
  });

  it("reports preparation before any step starts", () => {
    const view = makeView({ status: "in_progress", steps: [{ name: "build", status: "queued" }] });

    expect(renderTitle(view)).toBe("Preparing the environment");
  });

  it("reports a queued run", () => {
    expect(renderTitle(makeView({ status: "queued" }))).toBe("Queued");
  });

  it("reports config problems", () => {
    const problem = { file: ".github/paddock.yml", line: 3, column: 5, field: "steps.0.timeout", message: "invalid" };

    expect(renderTitle(makeView({ configProblems: [problem, { ...problem, line: 4 }] }))).toBe("Nothing ran: 2 config problems");
  });

  it("reports a policy denial", () => {
    expect(renderTitle(makeView({ decision: { allowed: false, reasons: ["fork"] } }))).toBe("Nothing ran: denied by policy");
  });

  it("uses the headline when no step ran", () => {
    const view = makeView({ conclusion: "failure", headline: "Environment could not be prepared: disk full\nmore", steps: [{ name: "build", status: "skipped" }] });

    expect(renderTitle(view)).toBe("Environment could not be prepared: disk full");
  });

  it("marks a cancelled run", () => {
    const view = makeView({
      conclusion: "cancelled",
      steps: [finishedStep({ name: "build", status: "success" }), finishedStep({ name: "test", status: "cancelled" })],
    });

    expect(renderTitle(view)).toBe("Cancelled · 1 of 2 steps passed");
  });

  it("cuts a long headline", () => {
    const title = renderTitle(makeView({ headline: "x".repeat(500) }));

    expect(title.length).toBe(MAX_CHECK_TITLE_CHARACTERS);
    expect(title.endsWith("…")).toBe(true);
  });
});
