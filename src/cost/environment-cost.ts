import { PaddockError } from "../errors.ts";
import type { PriceTable } from "./price-table.ts";
import { computeStepCost, type ContainerRequests, type StepCost } from "./step-cost.ts";

/** An environment's cost so far and what it will have cost when it expires, in nano-units. */
export interface EnvironmentCost {
  currency: string;
  soFarNanos: bigint;
  /** `soFarNanos` plus the standing containers' requests from now until `expiresAt`. */
  projectedNanos: bigint;
}

/**
 * Totals an environment's cost: the finished steps, plus standing containers (services and
 * previews that stay up between steps) charged their requests from `createdAt` to `now`. The
 * projection adds the standing containers from `now` to `expiresAt`. Steps not yet run are
 * not guessed, so without standing containers the projection equals the total so far.
 */
export function summarizeEnvironmentCost(options: {
  steps: readonly StepCost[];
  standing: readonly ContainerRequests[];
  createdAt: Date;
  now: Date;
  expiresAt: Date;
  prices: PriceTable;
}): EnvironmentCost {
  const { steps, standing, createdAt, now, expiresAt, prices } = options;
  for (const step of steps) {
    if (step.currency !== prices.currency) {
      throw new PaddockError("COST_INPUT_INVALID", `a step cost is in ${step.currency} but the price table is in ${prices.currency}`, {
        hint: "meter every step of an environment with the same price table",
      });
    }
  }

  const containers = standing.map((requests, index) => ({ name: `standing-${index}`, requests }));
  const elapsedMs = Math.max(0, now.getTime() - createdAt.getTime());
  const remainingMs = Math.max(0, expiresAt.getTime() - now.getTime());
  const standingSoFar = computeStepCost({ containers, durationMs: elapsedMs, prices }).nanos;
  const standingRemaining = computeStepCost({ containers, durationMs: remainingMs, prices }).nanos;

  const stepsTotal = steps.reduce((sum, step) => sum + step.nanos, 0n);
  return {
    currency: prices.currency,
    soFarNanos: stepsTotal + standingSoFar,
    projectedNanos: stepsTotal + standingSoFar + standingRemaining,
  };
}
