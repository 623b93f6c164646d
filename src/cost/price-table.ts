import { PaddockError } from "../errors.ts";
import type { CostPolicy } from "./price-table-schema.ts";

/** Prices resolved for one cluster, in whole micro-units of `currency`. */
export interface PriceTable {
  currency: string;
  cpuCoreHourMicros: bigint;
  memoryGiBHourMicros: bigint;
  gpuHourMicros: bigint;
  /** Per GiB-month of 730 hours. */
  storageGiBMonthMicros: bigint;
  /** Source of the prices, shown next to costs. */
  source: string;
}

/**
 * OpenCost's published on-premises defaults (configs/default.json of opencost/opencost: CPU
 * 0.031611, RAM 0.004237, GPU 0.95 per hour; storage 0.04 per GiB-month), in USD.
 */
export const OPENCOST_DEFAULT_PRICES = {
  currency: "USD",
  cpuCoreHour: "0.031611",
  memoryGiBHour: "0.004237",
  gpuHour: "0.95",
  storageGiBMonth: "0.04",
} as const;

const MICROS_PER_UNIT_DIGITS = 6;

/** Parses a decimal price such as `0.031611` into whole micro-units without floating point. */
export function parsePriceMicros(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) {
    throw new PaddockError("COST_INPUT_INVALID", `invalid price ${JSON.stringify(text)}`, {
      hint: "write a non-negative decimal with at most 6 decimals, such as 0.031611",
    });
  }
  const fraction = (match[2] ?? "").padEnd(MICROS_PER_UNIT_DIGITS, "0");
  return BigInt(match[1]!) * 1_000_000n + BigInt(fraction);
}

/**
 * Resolves the price table for a cluster: OpenCost's defaults, then the org's currency and
 * prices, then the cluster's table when the policy has one for `cluster`. Pure.
 */
export function resolvePriceTable(options: { policy?: CostPolicy; cluster?: string }): PriceTable {
  const { policy, cluster } = options;
  const clusterLayer = cluster === undefined ? undefined : policy?.clusters?.[cluster];
  const prices = { ...OPENCOST_DEFAULT_PRICES, ...policy?.prices, ...clusterLayer?.prices };
  const currency = clusterLayer?.currency ?? policy?.currency ?? OPENCOST_DEFAULT_PRICES.currency;

  return {
    currency,
    cpuCoreHourMicros: parsePriceMicros(prices.cpuCoreHour),
    memoryGiBHourMicros: parsePriceMicros(prices.memoryGiBHour),
    gpuHourMicros: parsePriceMicros(prices.gpuHour),
    storageGiBMonthMicros: parsePriceMicros(prices.storageGiBMonth),
    source: describeSource({ policy, cluster, hasClusterTable: clusterLayer !== undefined }),
  };
}

function describeSource(options: { policy?: CostPolicy; cluster?: string; hasClusterTable: boolean }): string {
  const { policy, cluster, hasClusterTable } = options;
  if (hasClusterTable) return `org policy, cluster ${cluster}`;
  if (policy?.prices !== undefined || policy?.currency !== undefined) return "org policy";
  return "OpenCost on-premises defaults";
}
