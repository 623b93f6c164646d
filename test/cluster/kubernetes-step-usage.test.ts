import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildCostView } from "../../src/cost/cost-view.ts";
import { meterStepResult } from "../../src/cost/meter-step-result.ts";
import { resolvePriceTable } from "../../src/cost/price-table.ts";
import { renderCostTable } from "../../src/cost/render-cost-table.ts";
import type { StepResult } from "../../src/pipeline/step-result.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import type { PreparedEnvironment, StepSpec } from "../../src/providers/provider.ts";
import { CPU_USAGE_ANNOTATION, MEMORY_USAGE_ANNOTATION, startLoopbackMetricsServer, type LoopbackMetricsServer } from "./loopback-metrics-server.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";

const controlPlane = useSharedControlPlane();
const SAMPLING = { intervalMs: 1_000, firstDelayMs: 500 };
const MIB = 1024 ** 2;
const PRICES = resolvePriceTable({});

// kwok ends each pod as these annotations set, and the loopback metrics server reads usage from them.
const podAnnotations: Record<string, Record<string, string>> = {};
const environment = buildBranchEnvironment({ repository: "acme/usage", branch: "main", resources: { cpu: "500m", memory: "512Mi" } });
const setup = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
let prepared: PreparedEnvironment;
let metrics: LoopbackMetricsServer | undefined;

function step(name: string, annotations: Record<string, string>): StepSpec {
  podAnnotations[name] = annotations;
  return { name, run: "npm test", timeoutSeconds: 60, env: {} };
}

// Each provider probes the metrics API once, so each test makes its own.
async function runStep(spec: StepSpec): Promise<StepResult> {
  const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), usageSampling: SAMPLING, podAnnotations: (item) => podAnnotations[item.name] ?? {} });
  const ready = await provider.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
  return provider.runStep({ prepared: ready, step: spec, signal: new AbortController().signal });
}

function renderBasis(result: StepResult): string {
  const cost = meterStepResult({ result, resources: environment.resources, prices: PRICES });
  const view = buildCostView({ steps: [{ name: result.name, cost }], environment: { currency: "USD", soFarNanos: cost.nanos, projectedNanos: cost.nanos }, prices: PRICES, expiresAt: "2030-01-01T00:00:00.000Z" });
  return renderCostTable(view).split("\n").find((line) => line.startsWith(`| ${result.name} |`)) ?? "";
}

beforeAll(async () => {
  await installPaddockDeployment(controlPlane);
  prepared = await setup.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
});

afterAll(async () => {
  await metrics?.stop();
  await setup.teardown({ environmentName: prepared.environment.name });
});

describe("kubernetes step usage", () => {
  it("falls back to requests without the metrics API", async () => {
    const result = await runStep(step("no-api", { "paddock.test/run-seconds": "2" }));

    expect(result.usage).toBeUndefined();
    expect(result.usageGap).toBe("the cluster does not serve the metrics API");
    expect(renderBasis(result)).toMatch(/^\| no-api \| requests × time \(the cluster does not serve the metrics API\) \| /);
  });

  it("charges the peak of metrics API samples", async () => {
    metrics = await startLoopbackMetricsServer(controlPlane.kubeConfig("admin"));
    const usage = { [CPU_USAGE_ANNOTATION]: "200m,900m,400m", [MEMORY_USAGE_ANNOTATION]: "100Mi,700Mi,300Mi", "paddock.test/run-seconds": "4" };

    const result = await runStep(step("sampled", usage));

    expect(result.status).toBe("success");
    expect(result.usage?.source).toBe("metrics-api");
    expect(result.usage?.peakMemoryBytes).toBe(700 * MIB);
    expect(result.usage?.cpuSeconds).toBeCloseTo(0.9 * (result.durationMs / 1000), 6);
    expect(result.usage?.samples).toBeGreaterThanOrEqual(3);
    const cost = meterStepResult({ result, resources: environment.resources, prices: PRICES });
    expect(cost.method).toBe("measured");
    expect(cost.billed.memoryByteMs).toBe(BigInt(700 * MIB) * BigInt(Math.round(result.durationMs)));
    expect(renderBasis(result)).toMatch(new RegExp(`^\\| sampled \\| measured usage \\(metrics API, peak of ${result.usage?.samples} samples\\) \\| `));
  });

  it("samples at a bounded rate", async () => {
    const before = metrics!.podListRequests();
    const result = await runStep(step("bounded", { [CPU_USAGE_ANNOTATION]: "100m", [MEMORY_USAGE_ANNOTATION]: "64Mi", "paddock.test/run-seconds": "3" }));

    const requests = metrics!.podListRequests() - before;
    expect(requests).toBeGreaterThanOrEqual(1);
    expect(requests).toBeLessThanOrEqual(Math.ceil((result.durationMs - SAMPLING.firstDelayMs) / SAMPLING.intervalMs) + 1);
  });

  it("falls back to requests without a sample", async () => {
    const result = await runStep(step("unsampled", { "paddock.test/run-seconds": "2" }));

    expect(result.usage).toBeUndefined();
    expect(result.usageGap).toBe("the metrics API returned no sample during the step");
    expect(renderBasis(result)).toMatch(/^\| unsampled \| requests × time \(the metrics API returned no sample during the step\) \| /);
  });
});
