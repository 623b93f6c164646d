import { parseCpuMillis, parseMemoryBytes } from "../config/units.ts";
import { formatCost } from "../cost/format-cost.ts";
import type { PriceTable } from "../cost/price-table.ts";
import { computeStepCost } from "../cost/step-cost.ts";
import type { ProjectedCost } from "./policy-decision.ts";

/**
 * Projects an environment's cost before it exists: one pod's requests (steps run one after
 * another) for the whole TTL at the price table's rates, in nano-units. Exact, rounded once.
 */
export function projectEnvironmentCost(options: {
  resources: { cpu: string; memory: string };
  ttlSeconds: number;
  prices: PriceTable;
}): { nanos: bigint; view: ProjectedCost } {
  const { resources, ttlSeconds, prices } = options;
  const cost = computeStepCost({
    containers: [{ name: "environment", requests: { cpuMillis: parseCpuMillis(resources.cpu)!, memoryBytes: parseMemoryBytes(resources.memory)! } }],
    durationMs: ttlSeconds * 1000,
    prices,
  });
  return { nanos: cost.nanos, view: { currency: prices.currency, nanos: cost.nanos.toString(), display: formatCost({ nanos: cost.nanos, currency: prices.currency }) } };
}
