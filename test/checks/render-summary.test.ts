import { describe, expect, it } from "vitest";
import { MAX_CHECK_OUTPUT_BYTES } from "../../src/checks/output-limits.ts";
import { renderSummary } from "../../src/checks/render-summary.ts";
import { describeMissingConfig } from "../../src/service/run-pull-request.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

const NONE_LEFT_OUT = { omitted: 0, unlocated: 0 };

describe("renderSummary", () => {
  it("renders headline, table, tests, decision and notes", () => {
    const view = makeView({
      conclusion: "failure",
      headline: "Tests failed in test",
      steps: [
        finishedStep({ name: "build", status: "success", durationMs: 12_400 }),
        finishedStep(
          { name: "test", status: "failure", durationMs: 65_000, exitCode: 1 },
          { tests: { total: 10, failed: 1, errors: 0, skipped: 2 }, failures: [{ file: "a.js", line: 1, title: "t", message: "m" }] },
        ),
        { name: "lint", status: "skipped" },
      ],
      decision: { allowed: true, reasons: ["human author", "within the org quota"] },
      notes: ["Config from .github/paddock.yml on main"],
    });

    expect(renderSummary(view, NONE_LEFT_OUT)).toBe(
      [
        "**Tests failed in test**",
        "",
        "| Step | Status | Duration | Detail |",
        "| --- | --- | --- | --- |",
        "| build | passed | 12s |  |",
        "| test | failed | 1m 05s | exit code 1 · 1 of 10 tests failed |",
        "| lint | skipped | – |  |",
        "",
        "**Tests:** 10 run, 7 passed, 1 failed, 2 skipped.",
        "",
        "**Policy: allowed.**",
        "- human author",
        "- within the org quota",
        "",
        "**Notes:**",
        "- Config from .github/paddock.yml on main",
        "",
        "Environment `pr-12-acme-web-1a2b3c` on the local provider, commit `0123456`.",
      ].join("\n"),
    );
  });

  it("explains config problems instead of a table", () => {
    const view = makeView({
      conclusion: "failure",
      configProblems: [
        { file: ".github/paddock.yml", line: 7, column: 14, field: "steps.0.timeout", message: "expected a duration such as 10m" },
        { file: ".github/paddock.yml", line: 2, column: 1, field: "", message: "unknown key `stpes`" },
      ],
    });

    expect(renderSummary(view, NONE_LEFT_OUT)).toBe(
      [
        "**Nothing ran: the Paddock config has 2 problems.**",
        "",
        "- `.github/paddock.yml:7:14` `steps.0.timeout`: expected a duration such as 10m",
        "- `.github/paddock.yml:2:1`: unknown key \\`stpes\\`",
        "",
        "Fix the fields marked on the file, then push a commit or re-run this check.",
        "",
        "Environment `pr-12-acme-web-1a2b3c` on the local provider, commit `0123456`.",
      ].join("\n"),
    );
  });

  it("lists the reasons of a denial", () => {
    const view = makeView({ conclusion: "failure", decision: { allowed: false, reasons: ["fork pull requests need approval"] } });

    expect(renderSummary(view, NONE_LEFT_OUT)).toBe(
      [
        "**Policy: denied, so nothing ran.**",
        "- fork pull requests need approval",
        "",
        "Environment `pr-12-acme-web-1a2b3c` on the local provider, commit `0123456`.",
      ].join("\n"),
    );
  });

  it("shows the step reason and report problem", () => {
    const view = makeView({
      steps: [
        finishedStep({ name: "test", status: "timed_out", exitCode: null, reason: "timed out after 10m" }, { reportProblem: "junit.xml: report is not well-formed XML" }),
      ],
    });

    expect(renderSummary(view, NONE_LEFT_OUT).split("\n")[2]).toBe(
      "| test | timed out | 1s | timed out after 10m · test report unreadable: junit.xml: report is not well-formed XML |",
    );
  });

  it("escapes pipes in step names and reasons", () => {
    const view = makeView({ steps: [finishedStep({ name: "a|b", status: "failure", reason: "exit | 2" })] });

    expect(renderSummary(view, NONE_LEFT_OUT).split("\n")[2]).toBe("| a\\|b | failed | 1s | exit \\| 2 |");
  });

  it("says what was left out", () => {
    const view = makeView({
      steps: [finishedStep({ name: "test", status: "failure" }, { tests: { total: 1_500, failed: 1_200, errors: 0, skipped: 0 }, failures: [] })],
    });

    expect(renderSummary(view, { omitted: 3, unlocated: 2 }).split("\n\n").slice(1, 5)).toEqual([
      "**Tests:** 1,500 run, 300 passed, 1,200 failed, 0 skipped.",
      "1,200 more failures counted but not listed, because a test report keeps at most 1,000.",
      "2 failures name no file in the repository, so they are listed in the details without an annotation.",
      "3 annotations left out, because a check run carries at most 1,000.",
    ]);
  });

  it("cuts a huge summary to the byte limit", () => {
    const notes = Array.from({ length: 2_000 }, (_, index) => `note ${index} ${"é".repeat(20)}`);
    const summary = renderSummary(makeView({ notes }), NONE_LEFT_OUT);

    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(MAX_CHECK_OUTPUT_BYTES);
    expect(Buffer.byteLength(summary)).toBeGreaterThan(MAX_CHECK_OUTPUT_BYTES - 4);
    expect(summary).toMatch(/\n… [\d,]+ bytes cut$/);
  });
});

describe("renderSummary notes with code", () => {
  it("renders the missing-config example as YAML", () => {
    const view = makeView({ ...describeMissingConfig(), steps: [] });

    expect(renderSummary(view, NONE_LEFT_OUT)).toBe(
      [
        "**No Paddock config: add .github/paddock.yml to this repository to get an environment for each pull request**",
        "",
        "**Notes:**",
        "- A minimal .github/paddock.yml:",
        "",
        "  ```yaml",
        "  environment:",
        '    resources: { cpu: "1", memory: 2Gi }',
        "    ttl: 24h",
        "  steps:",
        "    - name: test",
        "      image: node:24",
        "      run: npm ci && npm test",
        "  ```",
        "",
        `Environment \`${view.environmentName}\` on the ${view.provider} provider, commit \`${view.headSha.slice(0, 7)}\`.`,
      ].join("\n"),
    );
  });

  it("keeps a note's code block inside its fence", () => {
    const view = makeView({ notes: [{ text: "Example:", code: { language: "yaml`x", content: "a: ```\n\u001b[31mb: 1\n" } }, "after"] });

    expect(renderSummary(view, NONE_LEFT_OUT).split("\n\n").slice(0, 2)).toEqual(["**Notes:**\n- Example:", "  ````yamlx\n  a: ```\n  b: 1\n  ````\n- after"]);
  });
});
