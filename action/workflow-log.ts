import * as core from "@actions/core";
import pino, { type Logger } from "pino";

/** Pino's numeric levels, as pino documents them. */
const WARN_LEVEL = 40;
const ERROR_LEVEL = 50;
const INFO_LEVEL = 30;

/** Fields left out of the field list: pino's own, which the runner does not need, and the message and error, printed first. */
const OMITTED_FIELDS = new Set(["level", "time", "pid", "hostname", "msg", "err"]);

/**
 * Creates the Action's logger. Pino writes each line as JSON, and the runner would print that
 * JSON as it is, so every line becomes a workflow command instead: `::error::` and `::warning::`
 * annotations, plain text for info and `::debug::` below. Info and debug lines are logged only
 * with `debug`, which the caller sets from RUNNER_DEBUG=1.
 */
export function createWorkflowLogger(options: { debug: boolean }): Logger {
  return pino({ level: options.debug ? "debug" : "warn" }, { write: (line: string) => writeWorkflowLine(line) });
}

/** Writes one pino JSON line to the workflow log through @actions/core, which escapes it. */
export function writeWorkflowLine(line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    core.info(line.trimEnd());
    return;
  }
  const text = formatRecord(record);
  const level = typeof record.level === "number" ? record.level : INFO_LEVEL;
  if (level >= ERROR_LEVEL) core.error(text);
  else if (level >= WARN_LEVEL) core.warning(text);
  else if (level >= INFO_LEVEL) core.info(text);
  else core.debug(text);
}

/** Formats a record as its message, then its error message and other fields, such as `msg: error (checkRunId=7)`. */
export function formatRecord(record: Record<string, unknown>): string {
  let text = typeof record.msg === "string" ? record.msg : "";
  const error = record.err as { message?: unknown } | undefined;
  if (error && typeof error.message === "string") text += `: ${error.message}`;

  const fields = Object.entries(record).filter(([name]) => !OMITTED_FIELDS.has(name));
  if (fields.length > 0) {
    const rendered = fields.map(([name, value]) => `${name}=${typeof value === "string" ? value : JSON.stringify(value)}`);
    text += ` (${rendered.join(", ")})`;
  }
  return text;
}
