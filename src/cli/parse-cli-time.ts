import { parseExactTime, type ExactTime } from "../audit/exact-time.ts";
import { PaddockError } from "../errors.ts";

/**
 * An RFC 3339 time with a time zone (`2026-01-31T12:00:00Z`, `2026-01-31T07:00-05:00`), or a
 * plain date (`2026-01-31`) that means 00:00 UTC on that day.
 */
const CLI_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2})))?$/;

const CLI_TIME_HINT = "pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC";

/**
 * Parses the value of a time flag such as `--now` or `--since`. Rejects text without a time
 * zone, because `new Date` would read it in the local zone, and rejects days, hours and offsets
 * out of range, which `new Date` would roll over into the next month or day.
 */
export function parseCliTime(options: { flag: string; text: string }): Date {
  const { flag, text } = options;
  const match = CLI_TIME_PATTERN.exec(text);
  const time = match && isInRange(match) ? new Date(text) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new PaddockError("USAGE", `${flag} ${JSON.stringify(text).slice(1, -1)} is not a valid time`, { hint: CLI_TIME_HINT });
  }
  return time;
}

function isInRange(match: RegExpExecArray): boolean {
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysInMonth && hour! <= 23 && minute! <= 59 && second! <= 59 && offsetHours! <= 23 && offsetMinutes! <= 59;
}

/** Parses a time flag like `parseCliTime`, and keeps the fraction digits beyond milliseconds that a `Date` would drop. */
export function parseCliExactTime(options: { flag: string; text: string }): ExactTime {
  parseCliTime(options);
  // parseCliTime accepted the text, so Date.parse reads it.
  return parseExactTime(options.text)!;
}
