import type { TestCounts, TestFailure } from "../checks/check-run-view.ts";
import { parseJUnitReport } from "./junit.ts";
import type { StepReport } from "./step-result.ts";

/** Reads a step's test report into counts and failures, or says why it could not. */
export function readStepReport(report: StepReport): { ok: true; failures: TestFailure[]; tests: TestCounts } | { ok: false; problem: string } {
  const parsed = parseJUnitReport({ xml: report.content });
  if (!parsed.ok) return { ok: false, problem: `${report.path}: ${parsed.problem}` };
  const { total, failed, errors, skipped } = parsed;
  return { ok: true, failures: parsed.failures, tests: { total, failed, errors, skipped } };
}
