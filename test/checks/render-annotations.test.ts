import { describe, expect, it } from "vitest";
import type { TestFailure } from "../../src/checks/check-run-view.ts";
import { MAX_ANNOTATIONS_PER_CHECK_RUN, renderAnnotations } from "../../src/checks/render-annotations.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

function failures(count: number): TestFailure[] {
  return Array.from({ length: count }, (_, index) => ({ file: "test/a.test.js", line: index + 1, title: `t${index}`, message: "m" }));
}

describe("renderAnnotations", () => {
  it("annotates a config problem on its field", () => {
    const view = makeView({
      configProblems: [{ file: ".github/paddock.yml", line: 7, column: 14, field: "steps.0.timeout", message: "expected a duration such as 10m" }],
    });

    expect(renderAnnotations(view)).toEqual({
      annotations: [
        {
          path: ".github/paddock.yml",
          start_line: 7,
          end_line: 7,
          annotation_level: "failure",
          title: "Invalid Paddock config: steps.0.timeout",
          message: "steps.0.timeout: expected a duration such as 10m",
        },
      ],
      omitted: 0,
      unlocated: 0,
    });
  });

  it("annotates a file-level config problem", () => {
    const view = makeView({ configProblems: [{ file: ".github/paddock.yml", line: 1, column: 1, field: "", message: "file is empty" }] });

    expect(renderAnnotations(view).annotations).toEqual([
      { path: ".github/paddock.yml", start_line: 1, end_line: 1, annotation_level: "failure", title: "Invalid Paddock config", message: "file is empty" },
    ]);
  });

  it("annotates a test failure with sanitized text", () => {
    const failure: TestFailure = {
      file: "test/a.test.ts",
      line: 4,
      title: "math > adds",
      message: "\u001b[31mexpected 2 to be 3\u001b[0m",
      details: "AssertionError\n::add-mask::x",
    };
    const view = makeView({ steps: [finishedStep({ name: "test", status: "failure" }, { failures: [failure] })] });

    expect(renderAnnotations(view).annotations).toEqual([
      {
        path: "test/a.test.ts",
        start_line: 4,
        end_line: 4,
        annotation_level: "failure",
        title: "math > adds",
        message: "expected 2 to be 3",
        raw_details: "AssertionError\n:\u200b:add-mask::x",
      },
    ]);
  });

  it("counts failures without a file", () => {
    const view = makeView({
      steps: [finishedStep({ name: "test", status: "failure" }, { failures: [{ file: "", line: 1, title: "t", message: "" }, ...failures(1)] })],
    });
    const rendered = renderAnnotations(view);

    expect(rendered.unlocated).toBe(1);
    expect(rendered.annotations.map((annotation) => annotation.path)).toEqual(["test/a.test.js"]);
  });

  it("defaults invalid line and empty message", () => {
    const view = makeView({ steps: [finishedStep({ name: "test", status: "failure" }, { failures: [{ file: "a.js", line: 0, title: "t", message: "" }] })] });

    expect(renderAnnotations(view).annotations[0]).toMatchObject({ start_line: 1, end_line: 1, message: "test failed" });
  });

  it("keeps exactly the per-run cap", () => {
    const view = makeView({ steps: [finishedStep({ name: "test", status: "failure" }, { failures: failures(MAX_ANNOTATIONS_PER_CHECK_RUN) })] });
    const rendered = renderAnnotations(view);

    expect(rendered.annotations.length).toBe(1_000);
    expect(rendered.omitted).toBe(0);
  });

  it("omits annotations past the per-run cap", () => {
    const view = makeView({
      configProblems: [{ file: ".github/paddock.yml", line: 2, column: 1, field: "steps", message: "m" }],
      steps: [finishedStep({ name: "test", status: "failure" }, { failures: failures(MAX_ANNOTATIONS_PER_CHECK_RUN) })],
    });
    const rendered = renderAnnotations(view);

    expect(rendered.annotations.length).toBe(1_000);
    expect(rendered.annotations[0]?.path).toBe(".github/paddock.yml");
    expect(rendered.omitted).toBe(1);
  });
});
