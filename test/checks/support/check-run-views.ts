import type { CheckRunView, StepProgress } from "../../../src/checks/check-run-view.ts";
import type { StepResult } from "../../../src/pipeline/step-result.ts";

/** Returns a completed view of one environment with no steps; tests override what they need. */
export function makeView(overrides: Partial<CheckRunView> = {}): CheckRunView {
  return {
    environmentName: "pr-12-acme-web-1a2b3c",
    headSha: "0123456789abcdef0123456789abcdef01234567",
    provider: "local",
    status: "completed",
    steps: [],
    configProblems: [],
    notes: [],
    ...overrides,
  };
}

/** Returns a finished step result; tests override what they need. */
export function makeResult(overrides: Partial<StepResult> & Pick<StepResult, "name" | "status">): StepResult {
  return {
    exitCode: overrides.status === "success" ? 0 : 1,
    startedAt: "2026-12-04T10:00:00Z",
    durationMs: 1_000,
    outputTail: "",
    outputTruncated: false,
    ...overrides,
  };
}

/** Returns a step row built from a finished result. */
export function finishedStep(overrides: Partial<StepResult> & Pick<StepResult, "name" | "status">, extra: Partial<StepProgress> = {}): StepProgress {
  const result = makeResult(overrides);
  return { name: result.name, status: result.status, durationMs: result.durationMs, result, ...extra };
}
