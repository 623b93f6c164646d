import { describe, expect, it } from "vitest";
import { countTests, pluralize } from "../../src/checks/count-tests.ts";

const failure = { file: "a.js", line: 1, title: "t", message: "m" };

describe("countTests", () => {
  it("adds counts across steps", () => {
    const totals = countTests([
      { name: "unit", status: "failure", tests: { total: 10, failed: 2, errors: 1, skipped: 3 }, failures: [failure, failure, failure] },
      { name: "e2e", status: "success", tests: { total: 5, failed: 0, errors: 0, skipped: 1 } },
    ]);

    expect(totals).toEqual({ total: 15, failed: 3, skipped: 4, listed: 3 });
  });

  it("loses the total when a step lists failures without counts", () => {
    const totals = countTests([
      { name: "unit", status: "failure", failures: [failure, failure] },
      { name: "e2e", status: "success", tests: { total: 5, failed: 0, errors: 0, skipped: 0 } },
    ]);

    expect(totals).toEqual({ total: undefined, failed: 2, skipped: 0, listed: 2 });
  });

  it("returns zeros without reports", () => {
    expect(countTests([{ name: "build", status: "success" }])).toEqual({ total: 0, failed: 0, skipped: 0, listed: 0 });
  });
});

describe("pluralize", () => {
  it.each([
    [0, "0 tests"],
    [1, "1 test"],
    [1_234, "1,234 tests"],
  ])("formats %i", (count, expected) => {
    expect(pluralize(count, "test")).toBe(expected);
  });
});
