import { describe, expect, it } from "vitest";
import { formatDuration } from "../../src/checks/format-duration.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [350, "350ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [12_900, "12s"],
    [59_999, "59s"],
    [60_000, "1m 00s"],
    [65_000, "1m 05s"],
    [3_599_999, "59m 59s"],
    [3_600_000, "1h 00m 00s"],
    [7_384_000, "2h 03m 04s"],
    [-5, "0ms"],
    [Number.NaN, "0ms"],
    [Number.POSITIVE_INFINITY, "0ms"],
  ])("formats %d ms as %s", (durationMs, expected) => {
    expect(formatDuration(durationMs)).toBe(expected);
  });
});
