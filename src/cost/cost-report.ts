import type { ProjectedCost } from "../policy/policy-decision.ts";
import type { CostView } from "./cost-view.ts";
import { formatExactAmount } from "./format-cost.ts";
import type { CostMethod } from "./step-cost.ts";

/**
 * The `cost` object of `paddock run --json`: every amount an exact decimal string with nine
 * places in `currency`, so a script can add them without rounding. Every key is always present.
 */
export interface CostReport {
  currency: string;
  /** Source of the prices, such as "OpenCost on-premises defaults"; null when nothing ran. */
  priceSource: string | null;
  steps: Array<{ name: string; method: CostMethod; amount: string; detail: string | null }>;
  /** Services that stand between steps; `untilTeardown` marks those charged until expiry in `totalAtExpiry`. */
  services: Array<{ name: string; amount: string; untilTeardown: boolean }>;
  /** Steps and services so far. */
  totalSoFar: string;
  /** `totalSoFar` plus the services that run until teardown, charged until `expiresAt`; null when nothing ran. */
  totalAtExpiry: string | null;
  expiresAt: string | null;
  /** The policy's projection for the whole TTL, which the budgets judge; null when the decision has none. */
  budgetProjection: string | null;
}

/** Builds the run's cost report from its cost table and its policy decision's projection; null when neither exists, such as without a config. */
export function buildCostReport(options: { cost: CostView | undefined; budgetProjection: ProjectedCost | undefined }): CostReport | null {
  const { cost, budgetProjection } = options;
  const currency = cost?.currency ?? budgetProjection?.currency;
  if (currency === undefined) return null;

  return {
    currency,
    priceSource: cost?.priceSource ?? null,
    steps: (cost?.steps ?? []).map((step) => ({ name: step.name, method: step.method, amount: formatExactAmount(step.nanos), detail: step.detail ?? null })),
    services: (cost?.services ?? []).map((service) => ({ name: service.name, amount: formatExactAmount(service.nanos), untilTeardown: service.untilTeardown })),
    totalSoFar: formatExactAmount(cost?.soFarNanos ?? 0),
    totalAtExpiry: cost ? formatExactAmount(cost.projectedNanos) : null,
    expiresAt: cost?.expiresAt ?? null,
    budgetProjection: budgetProjection ? formatExactAmount(BigInt(budgetProjection.nanos)) : null,
  };
}
