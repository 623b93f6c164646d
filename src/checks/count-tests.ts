import type { StepProgress } from "./check-run-view.ts";

/** Test totals across a pipeline's steps. */
export interface TestTotals {
  /** Cases run, or undefined when some step listed failures without reporting counts. */
  total: number | undefined;
  /** Failed and errored cases. */
  failed: number;
  skipped: number;
  /** Failures listed with a location and message, at most `failed`. */
  listed: number;
}

/**
 * Adds up the test counts of every step. A step without counts contributes its listed
 * failures, which makes the total unknown when that list is not empty.
 */
export function countTests(steps: readonly StepProgress[]): TestTotals {
  const totals: TestTotals = { total: 0, failed: 0, skipped: 0, listed: 0 };
  for (const step of steps) {
    const listed = step.failures?.length ?? 0;
    totals.listed += listed;

    if (step.tests) {
      totals.total = totals.total === undefined ? undefined : totals.total + step.tests.total;
      totals.failed += step.tests.failed + step.tests.errors;
      totals.skipped += step.tests.skipped;
    } else if (listed > 0) {
      totals.total = undefined;
      totals.failed += listed;
    }
  }
  return totals;
}

/** Formats a count with its noun, such as "1 test" or "12 tests". */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? singular : plural}`;
}
