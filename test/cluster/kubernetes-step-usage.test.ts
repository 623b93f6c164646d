import { CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseMemoryBytes } from "../../src/config/units.ts";
import { buildCostView } from "../../src/cost/cost-view.ts";
import { meterStepResult } from "../../src/cost/meter-step-result.ts";
import { resolvePriceTable } from "../../src/cost/price-table.ts";
import { renderCostTable } from "../../src/cost/render-cost-table.ts";
import type { StepResult } from "../../src/pipeline/step-result.ts";
import { createKubernetesProvider } from "../../src/providers/kubernetes/kubernetes-provider.ts";
import { STEP_LABEL } from "../../src/providers/kubernetes/manifests/job-manifest.ts";
import type { PreparedEnvironment, StepSpec } from "../../src/providers/provider.ts";
import { setEmulatedUsage, type EmulatedUsage } from "./kwok-resource-usage.ts";
import { METRIC_RESOLUTION_SECONDS, startMetricsServer, type RunningMetricsServer } from "./metrics-server.ts";
import { buildBranchEnvironment, buildTestSource, impersonate, installPaddockDeployment } from "./paddock-deployment.ts";
import { useSharedControlPlane } from "./shared-control-plane.ts";
import { waitUntil } from "./wait-until.ts";

const controlPlane = useSharedControlPlane();
const admin = controlPlane.kubeConfig("admin");
const core = admin.makeApiClient(CoreV1Api);
const objects = admin.makeApiClient(CustomObjectsApi);
const SAMPLING = { intervalMs: 1_000, firstDelayMs: 500 };
const MIB = 1024 ** 2;
const PRICES = resolvePriceTable({});

// kwok ends each pod as these annotations set; its usage comes from ResourceUsage objects.
const podAnnotations: Record<string, Record<string, string>> = {};
const environment = buildBranchEnvironment({ repository: "acme/usage", branch: "main", resources: { cpu: "500m", memory: "512Mi" } });
const setup = createKubernetesProvider({ kubeConfig: impersonate(controlPlane) });
let prepared: PreparedEnvironment;

function step(name: string, runSeconds: number): StepSpec {
  podAnnotations[name] = { "paddock.test/run-seconds": String(runSeconds) };
  return { name, run: "npm test", timeoutSeconds: 120, env: {} };
}

// Each provider probes the metrics API once, so each step gets its own.
async function runStep(spec: StepSpec): Promise<StepResult> {
  const provider = createKubernetesProvider({ kubeConfig: impersonate(controlPlane), usageSampling: SAMPLING, podAnnotations: (item) => podAnnotations[item.name] ?? {} });
  const ready = await provider.prepare({ environment, source: buildTestSource(), signal: new AbortController().signal });
  return provider.runStep({ prepared: ready, step: spec, signal: new AbortController().signal });
}

async function findStepPod(stepName: string): Promise<string> {
  return waitUntil(
    async () => (await core.listNamespacedPod({ namespace: environment.name, labelSelector: `${STEP_LABEL}=${stepName}` })).items[0]?.metadata?.name,
    { description: `the pod of step ${stepName}` },
  );
}

// Reads the memory of the pod's PodMetrics as metrics-server serves it to the admin.
async function readServedMemoryBytes(pod: string): Promise<number | undefined> {
  const metrics = (await objects.getNamespacedCustomObject({ group: "metrics.k8s.io", version: "v1beta1", namespace: environment.name, plural: "pods", name: pod })) as {
    containers?: Array<{ usage?: { memory?: string } }>;
  };
  return parseMemoryBytes(metrics.containers?.[0]?.usage?.memory ?? "");
}

/**
 * Runs a step while kwok emulates `usages` for its pod, one after another: each one is set
 * once metrics-server serves the one before, and the step ends after metrics-server has served
 * the last one. Changing the pod itself would restart kwok's timer for `run-seconds`.
 */
async function runStepWithUsages(spec: StepSpec, usages: readonly EmulatedUsage[]): Promise<StepResult> {
  const result = runStep(spec);
  const pod = await findStepPod(spec.name);
  for (const usage of usages) {
    await setEmulatedUsage({ kubeConfig: admin, namespace: environment.name, pod, usage });
    const expected = parseMemoryBytes(usage.memory);
    await waitUntil(async () => ((await readServedMemoryBytes(pod)) === expected ? true : undefined), {
      description: `metrics-server to serve ${usage.memory} for pod ${pod}`,
      timeoutMs: 4 * METRIC_RESOLUTION_SECONDS * 1000,
    });
  }
  return result;
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
  await setup.teardown({ environmentName: prepared.environment.name });
});

describe("kubernetes step usage", () => {
  it("falls back to requests without the metrics API", async () => {
    const result = await runStep(step("no-api", 2));

    expect(result.usage).toBeUndefined();
    expect(result.usageGap).toBe("the cluster does not serve the metrics API");
    expect(renderBasis(result)).toMatch(/^\| no-api \| requests × time \(the cluster does not serve the metrics API\) \| /);
  });

  describe("with metrics-server scraping kwok", () => {
    // CPU stays below the 500m request and memory peaks above the 512Mi request, so the step
    // is billed its CPU request and its peak memory.
    const EMULATED_CPU_MILLIS = 200;
    const USAGES = [
      { cpu: "200m", memory: "256Mi" },
      { cpu: "200m", memory: "768Mi" },
      { cpu: "200m", memory: "384Mi" },
    ];
    // Long enough for the three usages: about 30 s to the first PodMetrics, then up to 10 s each.
    const SAMPLED_RUN_SECONDS = 75;
    let metricsServer: RunningMetricsServer | undefined;
    let sampled: StepResult;
    let listRequests: number;

    beforeAll(async () => {
      metricsServer = await startMetricsServer(controlPlane);
      const before = await metricsServer.countPodListRequests();
      sampled = await runStepWithUsages(step("sampled", SAMPLED_RUN_SECONDS), USAGES);
      listRequests = (await metricsServer.countPodListRequests()) - before;
    }, 240_000);

    afterAll(async () => {
      await metricsServer?.stop();
    });

    it("prices the step from the metrics API", () => {
      expect(sampled.status).toBe("success");
      expect(sampled.usage?.source).toBe("metrics-api");
      expect(meterStepResult({ result: sampled, resources: environment.resources, prices: PRICES }).method).toBe("measured");
      expect(renderBasis(sampled)).toMatch(new RegExp(`^\\| sampled \\| measured usage \\(metrics API, peak of ${sampled.usage?.samples} samples\\) \\| `));
    });

    it("keeps the peak memory sample", () => {
      expect(sampled.usage?.peakMemoryBytes).toBe(768 * MIB);
      expect(sampled.usage?.samples).toBeGreaterThanOrEqual(USAGES.length);
    });

    it("measures kwok's emulated CPU", () => {
      // metrics-server divides kwok's CPU counter by its own time between two scrapes, which
      // differs from kwok's by the request latency: milliseconds in a 10 s window.
      const cpuMillis = (sampled.usage!.cpuSeconds / (sampled.durationMs / 1000)) * 1000;
      expect(cpuMillis).toBeGreaterThan(EMULATED_CPU_MILLIS * 0.98);
      expect(cpuMillis).toBeLessThan(EMULATED_CPU_MILLIS * 1.02);
    });

    it("bills max of request and usage", () => {
      const cost = meterStepResult({ result: sampled, resources: environment.resources, prices: PRICES });
      const durationMs = BigInt(cost.durationMs);

      expect(cost.billed.cpuMilliCoreMs).toBe(500n * durationMs);
      expect(cost.billed.memoryByteMs).toBe(BigInt(768 * MIB) * durationMs);
      // 0.5 vCPU × 0.031611 + 0.75 GiB × 0.004237 = 0.01898325 USD an hour, which is
      // 18,983,250 nano-USD / 3,600,000 ms = 5.273125 nano-USD a millisecond, rounded half up.
      expect(cost.nanos).toBe((durationMs * 5_273_125n + 500_000n) / 1_000_000n);
    });

    it("samples at a bounded rate", () => {
      expect(listRequests).toBeGreaterThanOrEqual(1);
      expect(listRequests).toBeLessThanOrEqual(Math.ceil((sampled.durationMs - SAMPLING.firstDelayMs) / SAMPLING.intervalMs) + 1);
    });

    it("falls back to requests without a sample", async () => {
      // metrics-server serves a pod's usage from its third scrape of the pod, 20 to 30 s after
      // the pod starts, so a 2 s step ends before any sample.
      const running = runStep(step("unsampled", 2));
      await setEmulatedUsage({ kubeConfig: admin, namespace: environment.name, pod: await findStepPod("unsampled"), usage: USAGES[0]! });
      const result = await running;

      expect(result.usage).toBeUndefined();
      expect(result.usageGap).toBe("the metrics API returned no sample during the step");
      expect(renderBasis(result)).toMatch(/^\| unsampled \| requests × time \(the metrics API returned no sample during the step\) \| /);
    });
  });
});
