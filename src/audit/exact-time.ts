/**
 * An instant with every digit of its fraction of a second. RFC 3339 allows any number of
 * fraction digits, and the record schema accepts them, but a JavaScript `Date` keeps only
 * milliseconds, so comparing `Date`s would treat `09:10:00.0000005Z` as `09:10:00Z`.
 */
export interface ExactTime {
  /** Whole seconds since 1970-01-01T00:00:00Z. */
  epochSeconds: number;
  /** Digits after the decimal point, without trailing zeros: `"0000005"` for 0.5 µs, `""` for none. */
  fraction: string;
}

const FRACTION_PATTERN = /^[^.]*T[^.]*\.(\d+)/;

/**
 * Returns the exact instant of an RFC 3339 time, or undefined when `Date` cannot parse it.
 * The seconds come from `Date.parse`, which applies the offset, and the fraction from the text.
 */
export function parseExactTime(text: string): ExactTime | undefined {
  const milliseconds = Date.parse(text);
  if (Number.isNaN(milliseconds)) return undefined;

  const fraction = (FRACTION_PATTERN.exec(text)?.[1] ?? "").replace(/0+$/, "");
  return { epochSeconds: Math.floor(milliseconds / 1000), fraction };
}

/** Compares two instants: negative when `left` is earlier, 0 when equal, positive when later. */
export function compareExactTimes(left: ExactTime, right: ExactTime): number {
  if (left.epochSeconds !== right.epochSeconds) return left.epochSeconds - right.epochSeconds;

  // Padded to one length, digit strings compare like the fractions they represent.
  const length = Math.max(left.fraction.length, right.fraction.length);
  const leftDigits = left.fraction.padEnd(length, "0");
  const rightDigits = right.fraction.padEnd(length, "0");
  if (leftDigits === rightDigits) return 0;
  return leftDigits < rightDigits ? -1 : 1;
}
