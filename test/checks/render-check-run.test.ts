import { describe, expect, it } from "vitest";
import { renderCheckRun } from "../../src/checks/render-check-run.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

describe("renderCheckRun", () => {
  it("names the run after the environment", () => {
    expect(renderCheckRun(makeView()).name).toBe("paddock / pr-12-acme-web-1a2b3c");
  });

  it("leaves the conclusion out while running", () => {
    const rendered = renderCheckRun(makeView({ status: "in_progress", steps: [{ name: "build", status: "running" }] }));

    expect(rendered.conclusion).toBeUndefined();
    expect(rendered.title).toBe("Running build (step 1 of 1)");
  });

  it("keeps the view's conclusion", () => {
    const view = makeView({ conclusion: "cancelled", steps: [finishedStep({ name: "build", status: "success" })] });

    expect(renderCheckRun(view).conclusion).toBe("cancelled");
  });

  it.each([
    ["config problems", makeView({ configProblems: [{ file: ".github/paddock.yml", line: 1, column: 1, field: "", message: "empty" }] }), "failure"],
    ["a policy denial", makeView({ decision: { allowed: false, reasons: ["no"] } }), "failure"],
    ["a timed-out step", makeView({ steps: [finishedStep({ name: "t", status: "timed_out" })] }), "timed_out"],
    ["passing steps", makeView({ steps: [finishedStep({ name: "t", status: "success" })] }), "success"],
  ])("concludes a view with %s", (_name, view, expected) => {
    expect(renderCheckRun(view).conclusion).toBe(expected);
  });

  it("renders a full failing run", () => {
    const view = makeView({
      conclusion: "failure",
      steps: [
        finishedStep(
          { name: "test", status: "failure", outputTail: "1 failed\n" },
          { failures: [{ file: "test/a.test.js", line: 9, title: "subtracts", message: "2 !== 1", details: "at /workspace/test/a.test.js:9:10" }] },
        ),
      ],
    });

    expect(renderCheckRun(view)).toEqual({
      name: "paddock / pr-12-acme-web-1a2b3c",
      title: "0 of 1 step passed · 1 test failed",
      summary: [
        "| Step | Status | Duration | Detail |",
        "| --- | --- | --- | --- |",
        "| test | failed | 1s | exit code 1 |",
        "",
        "**Tests:** 1 failed.",
        "",
        "Environment `pr-12-acme-web-1a2b3c` on the local provider, commit `0123456`.",
      ].join("\n"),
      text: [
        "### Test failures in test",
        "",
        "- `test/a.test.js:9` **subtracts**: 2 !== 1",
        "",
        "### test failed",
        "",
        "Exit code 1. Last lines of output:",
        "",
        "```",
        "1 failed",
        "```",
      ].join("\n"),
      conclusion: "failure",
      annotations: [
        {
          path: "test/a.test.js",
          start_line: 9,
          end_line: 9,
          annotation_level: "failure",
          title: "subtracts",
          message: "2 !== 1",
          raw_details: "at /workspace/test/a.test.js:9:10",
        },
      ],
    });
  });
});
