import { describe, expect, it } from "vitest";
import type { TestFailure } from "../../src/checks/check-run-view.ts";
import { MAX_CHECK_OUTPUT_BYTES } from "../../src/checks/output-limits.ts";
import { renderDetails } from "../../src/checks/render-details.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

describe("renderDetails", () => {
  it("renders failures and the failed step's output", () => {
    const view = makeView({
      steps: [
        finishedStep({ name: "build", status: "success", outputTail: "built" }),
        finishedStep(
          {
            name: "test",
            status: "failure",
            exitCode: 1,
            outputTail: "\u001b[31mFAIL\u001b[0m test/a.test.ts\n::set-output name=x::1\n```\n",
            outputTruncated: true,
            logPath: "/var/lib/paddock/logs/test.log",
          },
          {
            failures: [
              { file: "test/a.test.ts", line: 4, title: "math > adds", message: "expected 2 to be 3" },
              { file: "", line: 1, title: "db", message: "ECONNREFUSED" },
            ],
          },
        ),
      ],
    });

    expect(renderDetails(view)).toBe(
      [
        "### Test failures in test",
        "",
        "- `test/a.test.ts:4` **math > adds**: expected 2 to be 3",
        "- (no file in the repository) **db**: ECONNREFUSED",
        "",
        "### test failed",
        "",
        "Exit code 1. Earlier output was dropped. The full log is on the Paddock host at `/var/lib/paddock/logs/test.log`. Last lines of output:",
        "",
        "````",
        "FAIL test/a.test.ts",
        ":\u200b:set-output name=x::1",
        "```",
        "````",
      ].join("\n"),
    );
  });

  it("renders a timed-out step with its reason", () => {
    const view = makeView({
      steps: [finishedStep({ name: "e2e", status: "timed_out", exitCode: null, reason: "timed out after 10m", outputTail: "waiting\n" })],
    });

    expect(renderDetails(view)).toBe(["### e2e timed out", "", "timed out after 10m. Last lines of output:", "", "```", "waiting", "```"].join("\n"));
  });

  it("says when a failed step wrote nothing", () => {
    const view = makeView({ steps: [finishedStep({ name: "build", status: "failure", exitCode: 2 })] });

    expect(renderDetails(view)).toBe("### build failed\n\nExit code 2. The step wrote no output.");
  });

  it("renders nothing for a passing run", () => {
    const view = makeView({ steps: [finishedStep({ name: "build", status: "success", outputTail: "ok" })] });

    expect(renderDetails(view)).toBe("");
  });

  it("keeps the end of a huge output within the limit", () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `line ${index} ✓`);
    const view = makeView({ steps: [finishedStep({ name: "test", status: "failure", outputTail: lines.join("\n") })] });

    const text = renderDetails(view);

    expect(byteLength(text)).toBeLessThanOrEqual(MAX_CHECK_OUTPUT_BYTES);
    expect(byteLength(text)).toBeGreaterThan(MAX_CHECK_OUTPUT_BYTES - 16);
    expect(text).toMatch(/^### test failed\n\nExit code 1\. Last lines of output:\n\n```\n\[… [\d,]+ bytes cut\]\n/);
    expect(text.endsWith("line 19999 ✓\n```")).toBe(true);
  });

  it("shares the limit between failures and outputs", () => {
    const failures: TestFailure[] = Array.from({ length: 3_000 }, (_, index) => ({
      file: "test/a.test.js",
      line: index + 1,
      title: `case ${index}`,
      message: "expected true to be false",
    }));
    const huge = "x".repeat(200_000);
    const view = makeView({
      steps: [
        finishedStep({ name: "unit", status: "failure", outputTail: huge }, { failures }),
        finishedStep({ name: "e2e", status: "failure", outputTail: huge }),
      ],
    });

    const text = renderDetails(view);
    const sections = text.split("\n\n### ");

    expect(byteLength(text)).toBeLessThanOrEqual(MAX_CHECK_OUTPUT_BYTES);
    expect(text).toContain("\n… 2,479 more test failures are not listed here.");
    expect(text).toContain("\n[… 183,661 bytes cut]\n");
    expect(text).toContain("\n[… 183,660 bytes cut]\n");
    expect(sections.map((section) => section.split("\n", 1)[0])).toEqual(["### Test failures in unit", "unit failed", "e2e failed"]);
    expect(text.endsWith("x\n```")).toBe(true);
  });
});
