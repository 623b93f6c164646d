import { DEFAULT_PIPELINE_CONCURRENCY } from "./paddock-service.ts";

/** Default time between two sweeps of the environments. */
export const DEFAULT_SWEEP_INTERVAL_MS = 5 * 60 * 1000;
/** Largest PADDOCK_CONCURRENCY. Each pipeline runs a sandbox or a namespace's Jobs, so a larger value is taken for a typo. */
export const MAX_PIPELINE_CONCURRENCY = 1000;
/** Largest PADDOCK_SWEEP_INTERVAL in seconds: a day, so an expired environment waits at most a day for its sweep. */
export const MAX_SWEEP_INTERVAL_SECONDS = 86_400;

/** The runtime's numeric settings, read from the environment. */
export interface RuntimeNumbers {
  concurrency: number;
  sweepIntervalMs: number;
}

/**
 * Reads PADDOCK_CONCURRENCY (a whole number) and PADDOCK_SWEEP_INTERVAL (seconds, decimals
 * allowed) as plain decimal digits, so `1e3` or `0x10` is rejected rather than read as a number.
 * Throws an error naming the variable, the value and the accepted range.
 */
export function readRuntimeNumbers(env: NodeJS.ProcessEnv): RuntimeNumbers {
  const concurrencyText = env.PADDOCK_CONCURRENCY;
  const concurrency = concurrencyText === undefined ? DEFAULT_PIPELINE_CONCURRENCY : Number(concurrencyText);
  if (concurrencyText !== undefined && (!/^\d+$/.test(concurrencyText) || concurrency < 1 || concurrency > MAX_PIPELINE_CONCURRENCY)) {
    throw new Error(`PADDOCK_CONCURRENCY=${concurrencyText} is invalid: set a whole number from 1 to ${MAX_PIPELINE_CONCURRENCY} (the default is ${DEFAULT_PIPELINE_CONCURRENCY})`);
  }

  const sweepText = env.PADDOCK_SWEEP_INTERVAL;
  const sweepSeconds = sweepText === undefined ? DEFAULT_SWEEP_INTERVAL_MS / 1000 : Number(sweepText);
  if (sweepText !== undefined && (!/^\d+(\.\d+)?$/.test(sweepText) || sweepSeconds < 10 || sweepSeconds > MAX_SWEEP_INTERVAL_SECONDS)) {
    throw new Error(`PADDOCK_SWEEP_INTERVAL=${sweepText} is invalid: set a number of seconds from 10 to ${MAX_SWEEP_INTERVAL_SECONDS} (the default is ${DEFAULT_SWEEP_INTERVAL_MS / 1000})`);
  }
  return { concurrency, sweepIntervalMs: Math.round(sweepSeconds * 1000) };
}
