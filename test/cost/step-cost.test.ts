import { describe, expect, it } from "vitest";
import { PaddockError } from "../../src/errors.ts";
import { resolvePriceTable, type PriceTable } from "../../src/cost/price-table.ts";
import { computeStepCost, type ContainerMeter } from "../../src/cost/step-cost.ts";

const GIB = 1_073_741_824;
const TEN_MINUTES_MS = 600_000;
const HOUR_MS = 3_600_000;
const DEFAULTS = resolvePriceTable({});

function container(overrides: Partial<ContainerMeter> = {}): ContainerMeter {
  return { name: "step", requests: { cpuMillis: 2_000, memoryBytes: 4 * GIB }, ...overrides };
}

// Each row was computed by hand from OpenCost's default prices (USD per hour: vCPU 0.031611,
// GiB 0.004237, GPU 0.95; storage 0.04 per GiB-month of 730 hours).
const HAND_COMPUTED: Array<{ case: string; containers: ContainerMeter[]; durationMs: number; nanos: bigint; method: string }> = [
  {
    // 2 × 1/6 × 0.031611 + 4 × 1/6 × 0.004237 = 0.010537 + 0.0028246666… = 0.0133616666…
    case: "requests only",
    containers: [container()],
    durationMs: TEN_MINUTES_MS,
    nanos: 13_361_667n,
    method: "requested",
  },
  {
    // CPU 1,500 s = 5/12 vCPU-h × 0.031611 = 0.01317125; memory peak 6 GiB × 1/6 h × 0.004237 = 0.004237.
    case: "usage above requests",
    containers: [container({ usage: { cpuSeconds: 1_500, peakMemoryBytes: 6 * GIB } })],
    durationMs: TEN_MINUTES_MS,
    nanos: 17_408_250n,
    method: "measured",
  },
  {
    // Usage below requests is charged the requests, as in the first row.
    case: "usage below requests",
    containers: [container({ usage: { cpuSeconds: 60, peakMemoryBytes: GIB } })],
    durationMs: TEN_MINUTES_MS,
    nanos: 13_361_667n,
    method: "measured",
  },
  {
    // 0.031611 + 0.004237 + 0.95 + 10 × 0.04 / 730 (0.000547945205…) = 0.986395945205…
    case: "gpu and storage for an hour",
    containers: [container({ requests: { cpuMillis: 1_000, memoryBytes: GIB, gpus: 1, storageBytes: 10 * GIB } })],
    durationMs: HOUR_MS,
    nanos: 986_395_945n,
    method: "requested",
  },
  {
    // Measured 2 vCPU-h and 1 GiB-h plus requested 0.5 vCPU-h and 0.5 GiB-h for one hour:
    // 2.5 × 0.031611 + 1.5 × 0.004237 = 0.0790275 + 0.0063555 = 0.085383.
    case: "one measured and one requested container",
    containers: [
      container({ name: "app", requests: { cpuMillis: 1_000, memoryBytes: GIB }, usage: { cpuSeconds: 7_200, peakMemoryBytes: 512 * 1024 * 1024 } }),
      container({ name: "db", requests: { cpuMillis: 500, memoryBytes: GIB / 2 } }),
    ],
    durationMs: HOUR_MS,
    nanos: 85_383_000n,
    method: "mixed",
  },
  {
    case: "no time",
    containers: [container()],
    durationMs: 0,
    nanos: 0n,
    method: "requested",
  },
];

describe("computeStepCost", () => {
  for (const row of HAND_COMPUTED) {
    it(`matches the hand-computed cost: ${row.case}`, () => {
      const cost = computeStepCost({ containers: row.containers, durationMs: row.durationMs, prices: DEFAULTS });

      expect(cost.nanos).toBe(row.nanos);
      expect(cost.method).toBe(row.method);
      expect(cost.currency).toBe("USD");
    });
  }

  it("bills the larger of request and usage per resource", () => {
    const cost = computeStepCost({
      containers: [container({ usage: { cpuSeconds: 1_500, peakMemoryBytes: GIB } })],
      durationMs: TEN_MINUTES_MS,
      prices: DEFAULTS,
    });

    expect(cost.billed.cpuMilliCoreMs).toBe(1_500_000_000n);
    expect(cost.billed.memoryByteMs).toBe(BigInt(4 * GIB) * 600_000n);
    expect(cost.billed.gpuMs).toBe(0n);
    expect(cost.billed.storageByteMs).toBe(0n);
  });

  it("rounds an exact half nano-unit up", () => {
    const prices: PriceTable = { ...DEFAULTS, cpuCoreHourMicros: 1n, memoryGiBHourMicros: 0n };
    const oneMillicore = (durationMs: number) =>
      computeStepCost({ containers: [container({ requests: { cpuMillis: 1, memoryBytes: 0 } })], durationMs, prices }).nanos;

    // 0.001 vCPU × 0.5 h × 0.000001 = 0.5 nano-units.
    expect(oneMillicore(1_800_000)).toBe(1n);
    expect(oneMillicore(1_799_999)).toBe(0n);
    expect(oneMillicore(5_400_000)).toBe(2n);
  });

  it("rejects a fractional duration", () => {
    const call = () => computeStepCost({ containers: [container()], durationMs: 1.5, prices: DEFAULTS });

    expect(call).toThrow(PaddockError);
    expect(call).toThrow("durationMs is 1.5, not a whole number from 0 to 9007199254740991");
  });

  it("rejects negative measured CPU time", () => {
    const call = () =>
      computeStepCost({ containers: [container({ usage: { cpuSeconds: -1, peakMemoryBytes: 0 } })], durationMs: 1, prices: DEFAULTS });

    expect(call).toThrow("step.usage.cpuSeconds is -1, not a finite number of at least 0");
  });
});
