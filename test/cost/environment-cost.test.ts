import { describe, expect, it } from "vitest";
import { summarizeEnvironmentCost } from "../../src/cost/environment-cost.ts";
import { resolvePriceTable } from "../../src/cost/price-table.ts";
import type { StepCost } from "../../src/cost/step-cost.ts";

const GIB = 1_073_741_824;
const PRICES = resolvePriceTable({});
const ZERO_BILLED = { cpuMilliCoreMs: 0n, memoryByteMs: 0n, gpuMs: 0n, storageByteMs: 0n };

function stepCost(nanos: bigint, currency = "USD"): StepCost {
  return { currency, nanos, method: "requested", durationMs: 600_000, billed: ZERO_BILLED };
}

describe("summarizeEnvironmentCost", () => {
  it("adds standing containers until now and until expiry", () => {
    // Standing 1 vCPU + 1 GiB costs 0.035848 per hour: 2 h so far (0.071696), 22 h left (0.788656).
    const cost = summarizeEnvironmentCost({
      steps: [stepCost(13_361_667n)],
      standing: [{ name: "db", requests: { cpuMillis: 1_000, memoryBytes: GIB }, startedAt: new Date("2026-12-04T10:00:00Z") }],
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-05T10:00:00Z"),
      prices: PRICES,
    });

    expect(cost).toEqual({ currency: "USD", soFarNanos: 85_057_667n, projectedNanos: 873_713_667n, standing: [{ name: "db", soFarNanos: 71_696_000n, untilTeardown: true }] });
  });

  it("charges a stopped container until its stop only", () => {
    // Half an hour of 1 vCPU + 1 GiB: 0.017924. It no longer runs, so the projection adds nothing.
    const cost = summarizeEnvironmentCost({
      steps: [stepCost(13_361_667n)],
      standing: [{ name: "web", requests: { cpuMillis: 1_000, memoryBytes: GIB }, startedAt: new Date("2026-12-04T10:00:00Z"), stoppedAt: new Date("2026-12-04T10:30:00Z") }],
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-05T10:00:00Z"),
      prices: PRICES,
    });

    expect(cost).toEqual({ currency: "USD", soFarNanos: 31_285_667n, projectedNanos: 31_285_667n, standing: [{ name: "web", soFarNanos: 17_924_000n, untilTeardown: false }] });
  });

  it("rounds each standing container once", () => {
    // 250m and 256 MiB for one second: 2,195.2083 + 294.2361 = 2,489.4444 nanos, so 2,489 each.
    // Rounded together, the two would make 4,979.
    const startedAt = new Date("2026-12-04T10:00:00Z");
    const stoppedAt = new Date("2026-12-04T10:00:01Z");
    const requests = { cpuMillis: 250, memoryBytes: GIB / 4 };
    const cost = summarizeEnvironmentCost({
      steps: [],
      standing: [
        { name: "a", requests, startedAt, stoppedAt },
        { name: "b", requests, startedAt, stoppedAt },
      ],
      now: stoppedAt,
      expiresAt: stoppedAt,
      prices: PRICES,
    });

    expect(cost.standing?.map((container) => container.soFarNanos)).toEqual([2_489n, 2_489n]);
    expect(cost.soFarNanos).toBe(4_978n);
  });

  it("charges nothing for a stop before the start", () => {
    const cost = summarizeEnvironmentCost({
      steps: [],
      standing: [{ name: "db", requests: { cpuMillis: 1_000, memoryBytes: GIB }, startedAt: new Date("2026-12-04T10:00:00Z"), stoppedAt: new Date("2026-12-04T09:00:00Z") }],
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-05T10:00:00Z"),
      prices: PRICES,
    });

    expect(cost.soFarNanos).toBe(0n);
    expect(cost.projectedNanos).toBe(0n);
  });

  it("projects the total so far without standing containers", () => {
    const cost = summarizeEnvironmentCost({
      steps: [stepCost(13_361_667n), stepCost(17_408_250n)],
      standing: [],
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-05T10:00:00Z"),
      prices: PRICES,
    });

    expect(cost.soFarNanos).toBe(30_769_917n);
    expect(cost.projectedNanos).toBe(30_769_917n);
  });

  it("adds nothing after expiry", () => {
    const cost = summarizeEnvironmentCost({
      steps: [],
      standing: [{ name: "db", requests: { cpuMillis: 1_000, memoryBytes: GIB }, startedAt: new Date("2026-12-04T10:00:00Z") }],
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-04T11:00:00Z"),
      prices: PRICES,
    });

    expect(cost.soFarNanos).toBe(71_696_000n);
    expect(cost.projectedNanos).toBe(71_696_000n);
  });

  it("sums ten thousand steps without drift", () => {
    const steps = Array.from({ length: 10_000 }, () => stepCost(13_361_667n));
    const at = new Date("2026-12-04T10:00:00Z");

    const cost = summarizeEnvironmentCost({ steps, standing: [], now: at, expiresAt: at, prices: PRICES });

    expect(cost.soFarNanos).toBe(133_616_670_000n);
  });

  it("rejects a step priced in another currency", () => {
    const at = new Date("2026-12-04T10:00:00Z");
    const call = () => summarizeEnvironmentCost({ steps: [stepCost(1n, "EUR")], standing: [], now: at, expiresAt: at, prices: PRICES });

    expect(call).toThrow("a step cost is in EUR but the price table is in USD");
  });
});
