import { describe, expect, it } from "vitest";
import { buildCostView } from "../../src/cost/cost-view.ts";
import { meterStepResult } from "../../src/cost/meter-step-result.ts";
import { resolvePriceTable } from "../../src/cost/price-table.ts";
import { renderCostTable } from "../../src/cost/render-cost-table.ts";
import type { StepResult } from "../../src/pipeline/step-result.ts";

const PRICES = resolvePriceTable({});
const RESOURCES = { cpu: "2", memory: "4Gi" };

function result(overrides: Partial<StepResult>): StepResult {
  return {
    name: "test",
    status: "success",
    exitCode: 0,
    startedAt: "2026-12-04T10:00:00Z",
    durationMs: 600_000,
    outputTail: "",
    outputTruncated: false,
    ...overrides,
  };
}

describe("meterStepResult", () => {
  it("uses the provider's usage when present", () => {
    const cost = meterStepResult({ result: result({ usage: { cpuSeconds: 1_500, peakMemoryBytes: 6 * 1_073_741_824 } }), resources: RESOURCES, prices: PRICES });

    expect(cost.nanos).toBe(17_408_250n);
    expect(cost.method).toBe("measured");
  });

  it("falls back to requests times wall time", () => {
    const cost = meterStepResult({ result: result({}), resources: RESOURCES, prices: PRICES });

    expect(cost.nanos).toBe(13_361_667n);
    expect(cost.method).toBe("requested");
  });

  it("charges the peak of metrics API samples", () => {
    // Peak 3 cores and 6 GiB for 10 minutes: 3 × 1/6 h × 0.031611 + 6 × 1/6 h × 0.004237 = 0.0200425.
    const usage = { cpuSeconds: 3 * 600, peakMemoryBytes: 6 * 1_073_741_824, source: "metrics-api" as const, samples: 40 };

    const cost = meterStepResult({ result: result({ usage }), resources: RESOURCES, prices: PRICES });

    expect(cost.nanos).toBe(20_042_500n);
    expect(cost.method).toBe("measured");
    expect(cost.detail).toBe("metrics API, peak of 40 samples");
  });

  it("names the reason usage is missing", () => {
    const cost = meterStepResult({ result: result({ usageGap: "the cluster does not serve the metrics API" }), resources: RESOURCES, prices: PRICES });

    expect(cost.nanos).toBe(13_361_667n);
    expect(cost.detail).toBe("the cluster does not serve the metrics API");
  });

  it("adds no detail for sandbox usage", () => {
    const cost = meterStepResult({ result: result({ usage: { cpuSeconds: 1, peakMemoryBytes: 1, source: "sandbox" } }), resources: RESOURCES, prices: PRICES });

    expect(cost.detail).toBeUndefined();
  });

  it("rejects unreadable resources", () => {
    expect(() => meterStepResult({ result: result({}), resources: { cpu: "two", memory: "4Gi" }, prices: PRICES })).toThrow(
      "step test has unreadable resources cpu=two memory=4Gi",
    );
  });
});

describe("renderCostTable", () => {
  it("renders steps, total and projection", () => {
    const build = meterStepResult({ result: result({ name: "build|x" }), resources: RESOURCES, prices: PRICES });
    const test = meterStepResult({ result: result({ usage: { cpuSeconds: 1_500, peakMemoryBytes: 6 * 1_073_741_824 } }), resources: RESOURCES, prices: PRICES });
    const view = buildCostView({
      steps: [
        { name: "build|x", cost: build },
        { name: "test", cost: test },
      ],
      environment: { currency: "USD", soFarNanos: build.nanos + test.nanos, projectedNanos: build.nanos + test.nanos + 50_000n },
      prices: PRICES,
      expiresAt: "2026-12-05T10:00:00.000Z",
    });

    expect(renderCostTable(view)).toBe(
      [
        "**Cost** in USD, prices from OpenCost on-premises defaults, rounded to 4 decimals (totals add the exact amounts):",
        "",
        "| Step | Basis | Cost |",
        "| --- | --- | ---: |",
        "| build\\|x | requests × time | 0.0134 |",
        "| test | measured usage | 0.0174 |",
        "| Total so far |  | 0.0308 |",
        "| Total at expiry (so far + services until 2026-12-05 10:00 UTC) |  | 0.0308 |",
      ].join("\n"),
    );
  });

  it("marks rows below display precision", () => {
    const billed = { cpuMilliCoreMs: 0n, memoryByteMs: 0n, gpuMs: 0n, storageByteMs: 0n };
    const step = (name: string) => ({ name, cost: { currency: "USD", nanos: 40_000n, method: "requested" as const, durationMs: 1, billed } });
    const view = buildCostView({
      steps: [step("lint"), step("test"), step("build")],
      environment: { currency: "USD", soFarNanos: 120_000n, projectedNanos: 120_000n },
      prices: PRICES,
      expiresAt: "2026-12-05T10:00:00.000Z",
    });

    expect(renderCostTable(view).split("\n").slice(4)).toEqual([
      "| lint | requests × time | < 0.0001 |",
      "| test | requests × time | < 0.0001 |",
      "| build | requests × time | < 0.0001 |",
      "| Total so far |  | 0.0001 |",
      "| Total at expiry (so far + services until 2026-12-05 10:00 UTC) |  | 0.0001 |",
    ]);
  });

  it("renders where usage came from", () => {
    const sampled = meterStepResult({ result: result({ name: "e2e", usage: { cpuSeconds: 3 * 600, peakMemoryBytes: 6 * 1_073_741_824, source: "metrics-api", samples: 1 } }), resources: RESOURCES, prices: PRICES });
    const unsampled = meterStepResult({ result: result({ name: "lint", usageGap: "the metrics API failed with 503 | retry" }), resources: RESOURCES, prices: PRICES });
    const view = buildCostView({
      steps: [
        { name: "e2e", cost: sampled },
        { name: "lint", cost: unsampled },
      ],
      environment: { currency: "USD", soFarNanos: sampled.nanos + unsampled.nanos, projectedNanos: sampled.nanos + unsampled.nanos },
      prices: PRICES,
      expiresAt: "2026-12-05T10:00:00.000Z",
    });

    const rows = renderCostTable(view).split("\n").slice(4, 6);

    expect(rows).toEqual(["| e2e | measured usage (metrics API, peak of 1 sample) | 0.0200 |", "| lint | requests × time (the metrics API failed with 503 \\| retry) | 0.0134 |"]);
  });

  it("renders standing services", () => {
    const build = meterStepResult({ result: result({ name: "build" }), resources: RESOURCES, prices: PRICES });
    const view = buildCostView({
      steps: [{ name: "build", cost: build }],
      environment: {
        currency: "USD",
        soFarNanos: build.nanos + 71_696_000n + 17_924_000n,
        projectedNanos: build.nanos + 71_696_000n + 17_924_000n + 788_656_000n,
        standing: [
          { name: "db|x", soFarNanos: 71_696_000n, untilTeardown: true },
          { name: "web", soFarNanos: 17_924_000n, untilTeardown: false },
        ],
      },
      prices: PRICES,
      expiresAt: "2026-12-05T10:00:00.000Z",
    });

    expect(renderCostTable(view).split("\n").slice(4)).toEqual([
      "| build | requests × time | 0.0134 |",
      "| service db\\|x | requests × time (runs until teardown) | 0.0717 |",
      "| service web | requests × time (ran while the steps ran) | 0.0179 |",
      "| Total so far |  | 0.1030 |",
      "| Total at expiry (so far + services until 2026-12-05 10:00 UTC) |  | 0.8916 |",
    ]);
  });
});
