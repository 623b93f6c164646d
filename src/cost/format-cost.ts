/** Decimals a cost is shown with: four, because a short CI step costs well under a cent. */
export const DISPLAY_DECIMALS = 4;

const NANOS_PER_UNIT = 1_000_000_000n;
const NANOS_PER_DISPLAY_STEP = 10n ** BigInt(9 - DISPLAY_DECIMALS);
const DISPLAY_STEPS_PER_UNIT = 10n ** BigInt(DISPLAY_DECIMALS);

/** Text of an amount above zero but below the smallest step shown, so it never reads as free. */
export const BELOW_DISPLAY_TEXT = `< 0.${"0".repeat(DISPLAY_DECIMALS - 1)}1`;

/**
 * Formats nano-units as a decimal with four places, rounded half up (0.00015 becomes 0.0002,
 * 0.000149999 becomes 0.0001), with thousands separators, such as `1,234.5678`. An amount
 * above zero and below 0.0001 is `< 0.0001`, so rows that each round to 0.0000 do not seem to
 * add up to a total of 0.0001. This is the only rounding between exact sums and what people read.
 */
export function formatCostAmount(nanos: bigint | number): string {
  const value = BigInt(nanos);
  if (value < 0n) throw new RangeError(`a cost cannot be negative, got ${value} nano-units`);
  if (value > 0n && value < NANOS_PER_DISPLAY_STEP) return BELOW_DISPLAY_TEXT;

  const steps = (value + NANOS_PER_DISPLAY_STEP / 2n) / NANOS_PER_DISPLAY_STEP;
  const whole = (steps / DISPLAY_STEPS_PER_UNIT).toLocaleString("en-US");
  const fraction = (steps % DISPLAY_STEPS_PER_UNIT).toString().padStart(DISPLAY_DECIMALS, "0");
  return `${whole}.${fraction}`;
}

/** Formats nano-units as an exact decimal with all nine places and no separators, such as `0.013361667`, for machines. */
export function formatExactAmount(nanos: bigint | number): string {
  const value = BigInt(nanos);
  if (value < 0n) throw new RangeError(`a cost cannot be negative, got ${value} nano-units`);

  const fraction = (value % NANOS_PER_UNIT).toString().padStart(9, "0");
  return `${value / NANOS_PER_UNIT}.${fraction}`;
}

/** Formats nano-units with their currency, such as `0.0134 USD` or `< 0.0001 USD`. */
export function formatCost(options: { nanos: bigint | number; currency: string }): string {
  return `${formatCostAmount(options.nanos)} ${options.currency}`;
}
