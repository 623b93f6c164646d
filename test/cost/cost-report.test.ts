import { describe, expect, it } from "vitest";
import { buildCostReport } from "../../src/cost/cost-report.ts";
import { formatExactAmount } from "../../src/cost/format-cost.ts";

const PROJECTION = { currency: "EUR", nanos: "71696000", display: "0.0717 EUR" };

describe("formatExactAmount", () => {
  it.each([
    [0n, "0.000000000"],
    [1n, "0.000000001"],
    [13_361_667n, "0.013361667"],
    [1_234_567_890_123n, "1234.567890123"],
    [17_408_250, "0.017408250"],
  ])("formats %s nano-units as %s", (nanos, text) => {
    expect(formatExactAmount(nanos)).toBe(text);
  });

  it("rejects a negative amount", () => {
    expect(() => formatExactAmount(-1n)).toThrow("a cost cannot be negative, got -1 nano-units");
  });
});

describe("buildCostReport", () => {
  it("reports steps, services and totals exactly", () => {
    const cost = {
      currency: "EUR",
      priceSource: "org policy",
      steps: [
        { name: "build", method: "requested" as const, nanos: 40_000, detail: "the metrics API failed" },
        { name: "test", method: "measured" as const, nanos: 13_361_667 },
      ],
      services: [{ name: "db", nanos: 17_924_000, untilTeardown: true }],
      soFarNanos: 31_325_667,
      projectedNanos: 820_000_001,
      expiresAt: "2026-12-05T10:00:00.000Z",
    };

    expect(buildCostReport({ cost, budgetProjection: PROJECTION })).toEqual({
      currency: "EUR",
      priceSource: "org policy",
      steps: [
        { name: "build", method: "requested", amount: "0.000040000", detail: "the metrics API failed" },
        { name: "test", method: "measured", amount: "0.013361667", detail: null },
      ],
      services: [{ name: "db", amount: "0.017924000", untilTeardown: true }],
      totalSoFar: "0.031325667",
      totalAtExpiry: "0.820000001",
      expiresAt: "2026-12-05T10:00:00.000Z",
      budgetProjection: "0.071696000",
    });
  });

  it("reports only the projection when nothing ran", () => {
    expect(buildCostReport({ cost: undefined, budgetProjection: PROJECTION })).toEqual({
      currency: "EUR",
      priceSource: null,
      steps: [],
      services: [],
      totalSoFar: "0.000000000",
      totalAtExpiry: null,
      expiresAt: null,
      budgetProjection: "0.071696000",
    });
  });

  it("returns null without any price", () => {
    expect(buildCostReport({ cost: undefined, budgetProjection: undefined })).toBeNull();
  });
});
