import type { StepStatus } from "../pipeline/step-result.ts";

const STATUS_TEXT: Record<StepStatus, string> = {
  queued: "queued",
  running: "running",
  success: "passed",
  failure: "failed",
  timed_out: "timed out",
  cancelled: "cancelled",
  skipped: "skipped",
};

/** Returns the words a check run shows for a step status, such as "timed out". */
export function describeStepStatus(status: StepStatus): string {
  return STATUS_TEXT[status];
}
