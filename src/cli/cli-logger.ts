import pino, { type Logger } from "pino";
import type { CliIo } from "./cli-io.ts";

/** Fields every pino line carries that a person at a terminal does not need. */
const OMITTED_FIELDS = new Set(["level", "time", "pid", "hostname", "msg"]);

/**
 * Creates the logger of a command: pino at `level`, with each line written to the command's
 * standard error as `paddock: LEVEL: MESSAGE: key=value ...` instead of JSON, so log lines read
 * like the command's other `paddock:` lines.
 */
export function createCliLogger(options: { io: CliIo; level: string }): Logger {
  const destination = { write: (line: string) => options.io.stderr(formatLogLine(line)) };
  return pino({ level: options.level }, destination);
}

/** Formats one pino JSON line. A line that is not JSON gets only the `paddock:` prefix. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `paddock: ${line.trimEnd()}\n`;
  }

  const label = typeof record.level === "number" ? (pino.levels.labels[record.level] ?? String(record.level)) : "log";
  const fields = Object.entries(record)
    .filter(([name]) => !OMITTED_FIELDS.has(name))
    .map(([name, value]) => (name === "err" ? `error=${formatValue(describeLoggedError(value))}` : `${name}=${formatValue(value)}`));
  const message = typeof record.msg === "string" ? record.msg : "";
  return `paddock: ${label}: ${message}${fields.length > 0 ? `: ${fields.join(" ")}` : ""}\n`;
}

/** Returns the message of an error as pino's err serializer writes it. */
function describeLoggedError(value: unknown): unknown {
  if (typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string") return (value as { message: string }).message;
  return value;
}

/** Writes a value in logfmt style: bare when it has no space, quote or `=`, else quoted as JSON. */
function formatValue(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}
