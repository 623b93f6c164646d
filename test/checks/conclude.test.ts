import { describe, expect, it } from "vitest";
import type { PipelineConclusion } from "../../src/checks/check-run-view.ts";
import { concludePipeline } from "../../src/checks/conclude.ts";
import type { StepStatus } from "../../src/pipeline/step-result.ts";

const cases: Array<[StepStatus[], PipelineConclusion]> = [
  [["success"], "success"],
  [["success", "success", "success"], "success"],
  [["success", "skipped"], "success"],
  [["failure"], "failure"],
  [["success", "failure", "skipped"], "failure"],
  [["timed_out"], "timed_out"],
  [["success", "timed_out", "skipped"], "timed_out"],
  [["timed_out", "failure"], "failure"],
  [["failure", "timed_out"], "failure"],
  [["cancelled"], "cancelled"],
  [["success", "cancelled", "skipped"], "cancelled"],
  [["cancelled", "failure"], "failure"],
  [["cancelled", "timed_out"], "timed_out"],
  [["success", "running"], "cancelled"],
  [["success", "queued"], "cancelled"],
  [["skipped"], "neutral"],
  [[], "neutral"],
];

describe("concludePipeline", () => {
  it.each(cases)("concludes %j as %s", (statuses, expected) => {
    expect(concludePipeline(statuses.map((status) => ({ status })))).toBe(expected);
  });
});
