import { describe, expect, it } from "vitest";

import { parseCpuUsageMillis } from "../../../src/providers/kubernetes/pod-metrics.ts";

describe("parseCpuUsageMillis", () => {
  it.each([
    { text: "1234567n", millis: 1.234567 },
    { text: "250u", millis: 0.25 },
    { text: "5m", millis: 5 },
    { text: "2", millis: 2_000 },
    { text: "0", millis: 0 },
    { text: " 900m ", millis: 900 },
  ])("parses $text", ({ text, millis }) => {
    expect(parseCpuUsageMillis(text)).toBeCloseTo(millis, 9);
  });

  it.each(["", "-1n", "1Ki", "abc", "1.5.2m"])("rejects %j", (text) => {
    expect(parseCpuUsageMillis(text)).toBeUndefined();
  });
});
