import { PaddockError } from "../errors.ts";
import {
  BYTES_PER_GIB,
  divideRoundHalfUp,
  HOURS_PER_MONTH,
  MILLICORES_PER_CORE,
  MS_PER_HOUR,
  NANOS_PER_MICRO,
} from "./cost-units.ts";
import type { PriceTable } from "./price-table.ts";

/** Resource requests of a container; GPUs and storage default to none. */
export interface ContainerRequests {
  cpuMillis: number;
  memoryBytes: number;
  gpus?: number;
  storageBytes?: number;
}

/** Measured resource usage of a container over its whole run. */
export interface ContainerUsage {
  cpuSeconds: number;
  /** Peak resident memory; used in place of the average, which the providers do not sample. */
  peakMemoryBytes: number;
}

/** One container of a step: its requests, and its usage when the provider measured it. */
export interface ContainerMeter {
  name: string;
  requests: ContainerRequests;
  usage?: ContainerUsage;
}

/** Basis of a cost: measured usage, requests alone, or some of each. */
export type CostMethod = "measured" | "requested" | "mixed";

/** Resource amounts a cost was charged for, in exact integer units. */
export interface BilledQuantities {
  cpuMilliCoreMs: bigint;
  memoryByteMs: bigint;
  gpuMs: bigint;
  storageByteMs: bigint;
}

/** The cost of one step, in whole nano-units of `currency`. */
export interface StepCost {
  currency: string;
  nanos: bigint;
  method: CostMethod;
  durationMs: number;
  billed: BilledQuantities;
  /** Source of the usage, or the reason requests were charged, shown on the check run. */
  detail?: string;
}

// One denominator every resource's price divides into, so a step's resources add up exactly
// before its single rounding: milli-core-ms per vCPU-hour times GiB times the storage month.
const EXACT_DENOMINATOR = MILLICORES_PER_CORE * MS_PER_HOUR * BYTES_PER_GIB * HOURS_PER_MONTH;

/**
 * Computes a step's cost by the OpenCost allocation rule: for each container, max(request,
 * usage) of each resource times the wall time times the price, summed. A container without
 * usage is charged its requests. Exact until one final half-up rounding to nano-units.
 */
export function computeStepCost(options: { containers: readonly ContainerMeter[]; durationMs: number; prices: PriceTable }): StepCost {
  const { containers, durationMs, prices } = options;
  requireWholeNumber("durationMs", durationMs);

  const billed: BilledQuantities = { cpuMilliCoreMs: 0n, memoryByteMs: 0n, gpuMs: 0n, storageByteMs: 0n };
  for (const container of containers) addContainer(billed, container, BigInt(durationMs));

  const numerator =
    billed.cpuMilliCoreMs * prices.cpuCoreHourMicros * (EXACT_DENOMINATOR / (MILLICORES_PER_CORE * MS_PER_HOUR)) +
    billed.memoryByteMs * prices.memoryGiBHourMicros * (EXACT_DENOMINATOR / (BYTES_PER_GIB * MS_PER_HOUR)) +
    billed.gpuMs * prices.gpuHourMicros * (EXACT_DENOMINATOR / MS_PER_HOUR) +
    billed.storageByteMs * prices.storageGiBMonthMicros * (EXACT_DENOMINATOR / (BYTES_PER_GIB * MS_PER_HOUR * HOURS_PER_MONTH));

  return {
    currency: prices.currency,
    nanos: divideRoundHalfUp(numerator * NANOS_PER_MICRO, EXACT_DENOMINATOR),
    method: describeMethod(containers),
    durationMs,
    billed,
  };
}

function addContainer(billed: BilledQuantities, container: ContainerMeter, durationMs: bigint): void {
  const { requests, usage } = container;
  for (const [field, value] of Object.entries(requests)) requireWholeNumber(`${container.name}.requests.${field}`, value);

  let cpu = BigInt(requests.cpuMillis) * durationMs;
  let memory = BigInt(requests.memoryBytes);
  if (usage) {
    requireFiniteNonNegative(`${container.name}.usage.cpuSeconds`, usage.cpuSeconds);
    requireWholeNumber(`${container.name}.usage.peakMemoryBytes`, usage.peakMemoryBytes);
    // One CPU-second is 1,000 millicores for 1,000 ms; measurements finer than 1 µs are rounded.
    const usedCpu = BigInt(Math.round(usage.cpuSeconds * 1_000_000));
    if (usedCpu > cpu) cpu = usedCpu;
    if (BigInt(usage.peakMemoryBytes) > memory) memory = BigInt(usage.peakMemoryBytes);
  }

  billed.cpuMilliCoreMs += cpu;
  billed.memoryByteMs += memory * durationMs;
  billed.gpuMs += BigInt(requests.gpus ?? 0) * durationMs;
  billed.storageByteMs += BigInt(requests.storageBytes ?? 0) * durationMs;
}

function describeMethod(containers: readonly ContainerMeter[]): CostMethod {
  const measured = containers.filter((container) => container.usage !== undefined).length;
  if (measured === 0) return "requested";
  return measured === containers.length ? "measured" : "mixed";
}

function requireWholeNumber(field: string, value: number | undefined): void {
  if (value === undefined || (Number.isSafeInteger(value) && value >= 0)) return;
  throw new PaddockError("COST_INPUT_INVALID", `${field} is ${value}, not a whole number from 0 to ${Number.MAX_SAFE_INTEGER}`, {
    hint: "pass milliseconds, millicores and bytes as non-negative integers",
  });
}

function requireFiniteNonNegative(field: string, value: number): void {
  if (Number.isFinite(value) && value >= 0) return;
  throw new PaddockError("COST_INPUT_INVALID", `${field} is ${value}, not a finite number of at least 0`, {
    hint: "pass the CPU time the provider measured, in seconds",
  });
}
