import type { StepStatus } from "../pipeline/step-result.ts";
import type { PipelineConclusion } from "./check-run-view.ts";

/**
 * Concludes a pipeline from its steps' statuses. A failure wins over everything; then a
 * timeout; then a cancellation, which includes a step still queued or running, since it never
 * finished. Success needs at least one successful step and the rest successful or skipped. No
 * steps, or only skipped ones, conclude as neutral.
 */
export function concludePipeline(steps: ReadonlyArray<{ status: StepStatus }>): PipelineConclusion {
  const statuses = new Set(steps.map((step) => step.status));

  if (statuses.has("failure")) return "failure";
  if (statuses.has("timed_out")) return "timed_out";
  if (statuses.has("cancelled") || statuses.has("queued") || statuses.has("running")) return "cancelled";
  if (statuses.has("success")) return "success";
  return "neutral";
}
