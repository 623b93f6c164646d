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
      standing: [{ cpuMillis: 1_000, memoryBytes: GIB }],
      createdAt: new Date("2026-12-04T10:00:00Z"),
      now: new Date("2026-12-04T12:00:00Z"),
      expiresAt: new Date("2026-12-05T10:00:00Z"),
      prices: PRICES,
    });

    expect(cost).toEqual({ currency: "USD", soFarNanos: 85_057_667n, projectedNanos: 873_713_667n });
  });

  it("projects the total so far without standing containers", () => {
    const cost = summarizeEnvironmentCost({
      steps: [stepCost(13_361_667n), stepCost(17_408_250n)],
      standing: [],
      createdAt: new Date("2026-12-04T10:00:00Z"),
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
      standing: [{ cpuMillis: 1_000, memoryBytes: GIB }],
      createdAt: new Date("2026-12-04T10:00:00Z"),
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

    const cost = summarizeEnvironmentCost({ steps, standing: [], createdAt: at, now: at, expiresAt: at, prices: PRICES });

    expect(cost.soFarNanos).toBe(133_616_670_000n);
  });

  it("rejects a step priced in another currency", () => {
    const at = new Date("2026-12-04T10:00:00Z");
    const call = () => summarizeEnvironmentCost({ steps: [stepCost(1n, "EUR")], standing: [], createdAt: at, now: at, expiresAt: at, prices: PRICES });

    expect(call).toThrow("a step cost is in EUR but the price table is in USD");
  });
});
