/** Units and exact integer helpers of the cost model. All money is counted in whole nano-units. */

/** Nano-units (1e-9) in one unit of currency: the fixed unit every cost is counted in. */
export const NANOS_PER_UNIT = 1_000_000_000n;
/** Nano-units in one micro-unit, the unit prices are stored in. */
export const NANOS_PER_MICRO = 1_000n;
/** Milliseconds in one hour. */
export const MS_PER_HOUR = 3_600_000n;
/** Millicores in one vCPU. */
export const MILLICORES_PER_CORE = 1_000n;
/** Bytes in one GiB. */
export const BYTES_PER_GIB = 1_073_741_824n;
/** Hours in one month for storage prices: 8,760 / 12, the month length OpenCost uses. */
export const HOURS_PER_MONTH = 730n;

/**
 * Divides two non-negative integers and rounds half up: 2.5 becomes 3 and 2.4999 becomes 2.
 * Exact for any size, because both operands are BigInt.
 */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) {
    throw new RangeError(`divideRoundHalfUp needs numerator >= 0 and denominator > 0, got ${numerator} / ${denominator}`);
  }
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** Converts nano-units to a JSON-safe number; throws when they exceed `Number.MAX_SAFE_INTEGER`. */
export function toSafeNanos(nanos: bigint): number {
  if (nanos < 0n || nanos > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${nanos} nano-units is outside 0..${Number.MAX_SAFE_INTEGER}, the range of integers a JSON number represents exactly`);
  }
  return Number(nanos);
}
