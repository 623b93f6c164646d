import type { TestCounts, TestFailure } from "../checks/check-run-view.ts";
import { parseJUnitReport } from "./junit.ts";
import { readJUnitSummary } from "./junit-summary.ts";
import type { StepReport } from "./step-result.ts";

/**
 * Reads a step's test report into counts and failures, or says why it could not. A report is
 * either the raw JUnit XML or the compact summary that the Kubernetes provider reads back from
 * the step's termination message.
 */
export function readStepReport(report: StepReport): { ok: true; failures: TestFailure[]; tests: TestCounts } | { ok: false; problem: string } {
  const parsed = report.format === "junit-summary" ? readJUnitSummary({ json: report.content }) : parseJUnitReport({ xml: report.content });
  if (!parsed.ok) return { ok: false, problem: `${report.path}: ${parsed.problem}` };
  const { total, failed, errors, skipped } = parsed;
  return { ok: true, failures: parsed.failures, tests: { total, failed, errors, skipped } };
}
