import { describe, expect, it } from "vitest";
import { divideRoundHalfUp, toSafeNanos } from "../../src/cost/cost-units.ts";
import { formatCost, formatCostAmount } from "../../src/cost/format-cost.ts";

describe("formatCostAmount", () => {
  const cases: Array<[bigint | number, string]> = [
    [0n, "0.0000"],
    [1n, "< 0.0001"],
    [49_999n, "< 0.0001"],
    [50_000n, "< 0.0001"],
    [99_999n, "< 0.0001"],
    [100_000n, "0.0001"],
    [149_999n, "0.0001"],
    [150_000n, "0.0002"],
    [13_361_667n, "0.0134"],
    [999_949_999n, "0.9999"],
    [999_950_000n, "1.0000"],
    [1_234_567_850_000n, "1,234.5679"],
    [17_408_250, "0.0174"],
  ];

  for (const [nanos, text] of cases) {
    it(`formats ${nanos} nano-units as ${text}`, () => {
      expect(formatCostAmount(nanos)).toBe(text);
    });
  }

  it("rejects a negative amount", () => {
    expect(() => formatCostAmount(-1n)).toThrow("a cost cannot be negative, got -1 nano-units");
  });
});

describe("formatCost", () => {
  it("appends the currency", () => {
    expect(formatCost({ nanos: 13_361_667n, currency: "EUR" })).toBe("0.0134 EUR");
  });

  it("marks an amount below display precision", () => {
    expect(formatCost({ nanos: 50_000n, currency: "EUR" })).toBe("< 0.0001 EUR");
  });
});

describe("divideRoundHalfUp", () => {
  it("rounds halves up and the rest to nearest", () => {
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(7n, 2n)).toBe(4n);
    expect(divideRoundHalfUp(4n, 2n)).toBe(2n);
    expect(divideRoundHalfUp(1n, 3n)).toBe(0n);
    expect(divideRoundHalfUp(2n, 3n)).toBe(1n);
  });

  it("rejects a negative numerator", () => {
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
  });
});

describe("toSafeNanos", () => {
  it("converts up to the largest safe integer", () => {
    expect(toSafeNanos(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991);
  });

  it("rejects one more", () => {
    expect(() => toSafeNanos(9_007_199_254_740_992n)).toThrow(RangeError);
  });
});
