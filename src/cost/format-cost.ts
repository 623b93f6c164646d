/** Decimals a cost is shown with: four, because a short CI step costs well under a cent. */
export const DISPLAY_DECIMALS = 4;

const NANOS_PER_DISPLAY_STEP = 10n ** BigInt(9 - DISPLAY_DECIMALS);
const DISPLAY_STEPS_PER_UNIT = 10n ** BigInt(DISPLAY_DECIMALS);

/**
 * Formats nano-units as a decimal with four places, rounded half up (0.00005 becomes 0.0001,
 * 0.000049999 becomes 0.0000), with thousands separators, such as `1,234.5678`. This is the
 * only rounding between exact sums and what people read.
 */
export function formatCostAmount(nanos: bigint | number): string {
  const value = BigInt(nanos);
  if (value < 0n) throw new RangeError(`a cost cannot be negative, got ${value} nano-units`);

  const steps = (value + NANOS_PER_DISPLAY_STEP / 2n) / NANOS_PER_DISPLAY_STEP;
  const whole = (steps / DISPLAY_STEPS_PER_UNIT).toLocaleString("en-US");
  const fraction = (steps % DISPLAY_STEPS_PER_UNIT).toString().padStart(DISPLAY_DECIMALS, "0");
  return `${whole}.${fraction}`;
}

/** Formats nano-units with their currency, such as `0.0134 USD`. */
export function formatCost(options: { nanos: bigint | number; currency: string }): string {
  return `${formatCostAmount(options.nanos)} ${options.currency}`;
}
