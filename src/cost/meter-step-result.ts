import { parseCpuMillis, parseMemoryBytes } from "../config/units.ts";
import { PaddockError } from "../errors.ts";
import type { StepResult } from "../pipeline/step-result.ts";
import type { ResourceRequest } from "../providers/provider.ts";
import type { PriceTable } from "./price-table.ts";
import { computeStepCost, type StepCost } from "./step-cost.ts";

/**
 * Computes the cost of one finished step that ran as a single container with the
 * environment's requests: from `result.usage` when the provider measured it, otherwise from
 * the requests times `result.durationMs`. `detail` names the metrics API as the source, or
 * the provider's reason for having no usage.
 */
export function meterStepResult(options: { result: StepResult; resources: ResourceRequest; prices: PriceTable }): StepCost {
  const { result, resources, prices } = options;
  const cpuMillis = parseCpuMillis(resources.cpu);
  const memoryBytes = parseMemoryBytes(resources.memory);
  if (cpuMillis === undefined || memoryBytes === undefined) {
    throw new PaddockError("COST_INPUT_INVALID", `step ${result.name} has unreadable resources cpu=${resources.cpu} memory=${resources.memory}`, {
      hint: "pass Kubernetes quantities such as 500m and 2Gi",
    });
  }

  const container = {
    name: result.name,
    requests: { cpuMillis, memoryBytes },
    ...(result.usage ? { usage: { cpuSeconds: result.usage.cpuSeconds, peakMemoryBytes: result.usage.peakMemoryBytes } } : {}),
  };
  const cost = computeStepCost({ containers: [container], durationMs: Math.max(0, Math.round(result.durationMs)), prices });
  const detail = describeUsageSource(result);
  return detail === undefined ? cost : { ...cost, detail };
}

function describeUsageSource(result: StepResult): string | undefined {
  if (result.usage?.source === "metrics-api") {
    const samples = result.usage.samples ?? 0;
    return `metrics API, peak of ${samples} sample${samples === 1 ? "" : "s"}`;
  }
  if (result.usage === undefined) return result.usageGap;
  return undefined;
}
