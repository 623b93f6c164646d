import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parsePriceMicros, resolvePriceTable } from "../../src/cost/price-table.ts";
import { costPolicySchema } from "../../src/cost/price-table-schema.ts";

describe("parsePriceMicros", () => {
  it("parses decimals into micro-units exactly", () => {
    expect(parsePriceMicros("0.031611")).toBe(31_611n);
    expect(parsePriceMicros("0.95")).toBe(950_000n);
    expect(parsePriceMicros("12")).toBe(12_000_000n);
    expect(parsePriceMicros("0.000001")).toBe(1n);
  });

  it("rejects a seventh decimal", () => {
    expect(() => parsePriceMicros("0.0000001")).toThrow('invalid price "0.0000001"');
  });
});

describe("resolvePriceTable", () => {
  it("uses OpenCost's defaults without a policy", () => {
    expect(resolvePriceTable({})).toEqual({
      currency: "USD",
      cpuCoreHourMicros: 31_611n,
      memoryGiBHourMicros: 4_237n,
      gpuHourMicros: 950_000n,
      storageGiBMonthMicros: 40_000n,
      source: "OpenCost on-premises defaults",
    });
  });

  it("layers org and cluster prices", () => {
    const policy = costPolicySchema.parse({
      prices: { cpuCoreHour: 0.05 },
      clusters: { "gpu-eu": { prices: { gpuHour: "2.5" } } },
    });

    expect(resolvePriceTable({ policy, cluster: "gpu-eu" })).toEqual({
      currency: "USD",
      cpuCoreHourMicros: 50_000n,
      memoryGiBHourMicros: 4_237n,
      gpuHourMicros: 2_500_000n,
      storageGiBMonthMicros: 40_000n,
      source: "org policy, cluster gpu-eu",
    });
  });

  it("falls back to org prices for an unlisted cluster", () => {
    const policy = costPolicySchema.parse({ prices: { cpuCoreHour: "0.05" }, clusters: { other: { prices: { gpuHour: "2" } } } });
    const table = resolvePriceTable({ policy, cluster: "unlisted" });

    expect(table.cpuCoreHourMicros).toBe(50_000n);
    expect(table.gpuHourMicros).toBe(950_000n);
    expect(table.source).toBe("org policy");
  });
});

describe("costPolicySchema", () => {
  const fullEuroPrices = { cpuCoreHour: "0.03", memoryGiBHour: "0.004", gpuHour: "0.9", storageGiBMonth: "0.035" };

  it("accepts another currency with every price", () => {
    const policy = costPolicySchema.parse({ currency: "EUR", prices: fullEuroPrices });

    expect(resolvePriceTable({ policy }).currency).toBe("EUR");
    expect(resolvePriceTable({ policy }).storageGiBMonthMicros).toBe(35_000n);
  });

  it("rejects another currency with missing prices", () => {
    const result = costPolicySchema.safeParse({ currency: "EUR", prices: { cpuCoreHour: "0.03" } });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["prices", "currency EUR differs from the inherited USD, so every price must be set; missing: memoryGiBHour, gpuHour, storageGiBMonth"],
    ]);
  });

  it("rejects a cluster currency without every price", () => {
    const result = costPolicySchema.safeParse({ clusters: { "eu-1": { currency: "EUR", prices: fullEuroPrices }, "ch-1": { currency: "CHF" } } });

    expect(result.error?.issues.map((issue) => issue.path.join("."))).toEqual(["clusters.ch-1.prices"]);
  });

  it("rejects a lowercase currency", () => {
    const result = costPolicySchema.safeParse({ currency: "usd", prices: { cpuCoreHour: "1", memoryGiBHour: "1", gpuHour: "1", storageGiBMonth: "1" } });

    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["currency", "invalid currency: use an ISO 4217 code in capitals, such as USD or EUR"],
    ]);
  });

  it("rejects a negative price", () => {
    const result = costPolicySchema.safeParse({ prices: { gpuHour: "-1" } });

    expect(result.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["prices.gpuHour", 'invalid price "-1": write a non-negative decimal with at most 6 decimals, such as "0.031611"'],
    ]);
  });

  it("rejects unknown keys", () => {
    expect(costPolicySchema.safeParse({ price: {} }).success).toBe(false);
  });
});

describe("costPolicySchema as JSON Schema", () => {
  it("converts for editors", () => {
    const json = z.toJSONSchema(costPolicySchema, { io: "input", target: "draft-2020-12" }) as { properties: Record<string, unknown> };

    expect(Object.keys(json.properties)).toEqual(["currency", "prices", "clusters"]);
  });
});
