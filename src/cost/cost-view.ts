import { toSafeNanos } from "./cost-units.ts";
import type { EnvironmentCost } from "./environment-cost.ts";
import type { PriceTable } from "./price-table.ts";
import type { CostMethod, StepCost } from "./step-cost.ts";

/** The cost table of a check run, as plain JSON data. Amounts are whole nano-units. */
export interface CostView {
  currency: string;
  /** Source of the prices, such as "OpenCost on-premises defaults". */
  priceSource: string;
  /** `detail` names the source of usage, or the reason requests were charged. */
  steps: Array<{ name: string; method: CostMethod; nanos: number; detail?: string }>;
  /** Services that stay up between steps, charged their requests for the time they run. */
  services?: Array<{ name: string; nanos: number; untilTeardown: boolean }>;
  soFarNanos: number;
  projectedNanos: number;
  /** ISO 8601 time the environment expires, which the projection runs to. */
  expiresAt: string;
}

/** Builds the check run's cost table from metered steps, standing services and the environment's total. */
export function buildCostView(options: {
  steps: ReadonlyArray<{ name: string; cost: StepCost }>;
  environment: EnvironmentCost;
  prices: PriceTable;
  expiresAt: string;
}): CostView {
  const { steps, environment, prices, expiresAt } = options;
  return {
    currency: environment.currency,
    priceSource: prices.source,
    steps: steps.map((step) => ({
      name: step.name,
      method: step.cost.method,
      nanos: toSafeNanos(step.cost.nanos),
      ...(step.cost.detail === undefined ? {} : { detail: step.cost.detail }),
    })),
    ...(environment.standing ? { services: environment.standing.map((service) => ({ name: service.name, nanos: toSafeNanos(service.soFarNanos), untilTeardown: service.untilTeardown })) } : {}),
    soFarNanos: toSafeNanos(environment.soFarNanos),
    projectedNanos: toSafeNanos(environment.projectedNanos),
    expiresAt,
  };
}
