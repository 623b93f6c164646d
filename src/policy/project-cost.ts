import { parseCpuMillis, parseMemoryBytes } from "../config/units.ts";
import { formatCost } from "../cost/format-cost.ts";
import type { PriceTable } from "../cost/price-table.ts";
import { computeStepCost } from "../cost/step-cost.ts";
import type { ProjectedCost } from "./policy-decision.ts";

/**
 * Projects an environment's cost before it exists: one pod's requests for the steps (they run
 * one after another), plus one per service (services stand, on Kubernetes until teardown),
 * for the whole TTL at the price table's rates, in nano-units. Exact, rounded once.
 */
export function projectEnvironmentCost(options: {
  resources: { cpu: string; memory: string };
  ttlSeconds: number;
  /** Number of services the environment starts. */
  services?: number;
  prices: PriceTable;
}): { nanos: bigint; view: ProjectedCost } {
  const { resources, ttlSeconds, prices } = options;
  const requests = { cpuMillis: parseCpuMillis(resources.cpu)!, memoryBytes: parseMemoryBytes(resources.memory)! };
  const pods = 1 + (options.services ?? 0);
  const cost = computeStepCost({
    containers: Array.from({ length: pods }, (_, index) => ({ name: index === 0 ? "steps" : `service-${index}`, requests })),
    durationMs: ttlSeconds * 1000,
    prices,
  });
  return { nanos: cost.nanos, view: { currency: prices.currency, nanos: cost.nanos.toString(), display: formatCost({ nanos: cost.nanos, currency: prices.currency }) } };
}
