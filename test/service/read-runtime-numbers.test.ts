import { describe, expect, it } from "vitest";
import { readRuntimeNumbers } from "../../src/service/read-runtime-numbers.ts";

describe("readRuntimeNumbers", () => {
  it("uses the defaults when unset", () => {
    expect(readRuntimeNumbers({})).toEqual({ concurrency: 2, sweepIntervalMs: 300_000 });
  });

  it("reads values within range", () => {
    expect(readRuntimeNumbers({ PADDOCK_CONCURRENCY: "1000", PADDOCK_SWEEP_INTERVAL: "10.5" })).toEqual({ concurrency: 1000, sweepIntervalMs: 10_500 });
  });

  it.each(["1e3", "0x10", "0", "1001", "2.5", " 4", "", "-1"])("rejects PADDOCK_CONCURRENCY=%j", (value) => {
    expect(() => readRuntimeNumbers({ PADDOCK_CONCURRENCY: value })).toThrow(`PADDOCK_CONCURRENCY=${value} is invalid: set a whole number from 1 to 1000 (the default is 2)`);
  });

  it.each(["1e3", "9", "86401", "Infinity", "", "-60"])("rejects PADDOCK_SWEEP_INTERVAL=%j", (value) => {
    expect(() => readRuntimeNumbers({ PADDOCK_SWEEP_INTERVAL: value })).toThrow(`PADDOCK_SWEEP_INTERVAL=${value} is invalid: set a number of seconds from 10 to 86400 (the default is 300)`);
  });
});
