/** Returns the p-th percentile (0-100) of the samples by the nearest-rank method. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Formats milliseconds with one decimal. */
export function formatMs(value: number): string {
  return `${value.toFixed(1)} ms`;
}
