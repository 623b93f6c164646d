import { PaddockError } from "../errors.ts";
import type { PriceTable } from "./price-table.ts";
import { computeStepCost, type ContainerRequests, type StepCost } from "./step-cost.ts";

/** A container that stays up between steps, such as a service, charged its requests for the time it runs. */
export interface StandingContainer {
  name: string;
  requests: ContainerRequests;
  startedAt: Date;
  /** Time it stopped; absent while it runs on until the environment is torn down. */
  stoppedAt?: Date;
}

/** One standing container's cost so far, in nano-units. */
export interface StandingCost {
  name: string;
  soFarNanos: bigint;
  /** True when it runs on until teardown, so the projection charges it until expiry. */
  untilTeardown: boolean;
}

/** An environment's cost so far and what it will have cost when it expires, in nano-units. */
export interface EnvironmentCost {
  currency: string;
  soFarNanos: bigint;
  /** `soFarNanos` plus the standing containers that still run, from now until expiry. */
  projectedNanos: bigint;
  /** The standing containers' share of `soFarNanos`, one entry each. */
  standing?: StandingCost[];
}

/**
 * Totals an environment's cost: the finished steps, plus each standing container charged its
 * requests from its start to its stop, or to `now` while it runs. The projection adds the
 * containers that still run, from `now` to `expiresAt`. Steps not yet run are not guessed, so
 * without standing containers the projection equals the total so far. Each container's cost is
 * rounded once, so the rows of the cost table add up to its totals.
 */
export function summarizeEnvironmentCost(options: {
  steps: readonly StepCost[];
  standing: readonly StandingContainer[];
  now: Date;
  expiresAt: Date;
  prices: PriceTable;
}): EnvironmentCost {
  const { steps, standing, now, expiresAt, prices } = options;
  for (const step of steps) {
    if (step.currency !== prices.currency) {
      throw new PaddockError("COST_INPUT_INVALID", `a step cost is in ${step.currency} but the price table is in ${prices.currency}`, {
        hint: "meter every step of an environment with the same price table",
      });
    }
  }

  const remainingMs = Math.max(0, expiresAt.getTime() - now.getTime());
  const charge = (container: StandingContainer, durationMs: number): bigint => computeStepCost({ containers: [container], durationMs, prices }).nanos;
  const standingCosts: StandingCost[] = [];
  let standingRemaining = 0n;
  for (const container of standing) {
    const end = Math.min(container.stoppedAt?.getTime() ?? now.getTime(), now.getTime());
    const untilTeardown = container.stoppedAt === undefined;
    standingCosts.push({ name: container.name, soFarNanos: charge(container, Math.max(0, end - container.startedAt.getTime())), untilTeardown });
    if (untilTeardown) standingRemaining += charge(container, remainingMs);
  }

  const stepsTotal = steps.reduce((sum, step) => sum + step.nanos, 0n);
  const soFarNanos = standingCosts.reduce((sum, container) => sum + container.soFarNanos, stepsTotal);
  return {
    currency: prices.currency,
    soFarNanos,
    projectedNanos: soFarNanos + standingRemaining,
    ...(standingCosts.length > 0 ? { standing: standingCosts } : {}),
  };
}
