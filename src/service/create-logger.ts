import pino, { type Logger } from "pino";
import { PaddockError } from "../errors.ts";

/** Paths pino removes from every log line, so a token or key never reaches a log. */
export const REDACTED_PATHS = [
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "privateKey",
  "*.privateKey",
  "secret",
  "*.secret",
  "kubeconfig",
  "*.kubeconfig",
  "password",
  "*.password",
];

/** Levels LOG_LEVEL accepts: pino's levels, from the most output to none. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** Reads LOG_LEVEL, which defaults to `info` when unset or empty. */
export function readLogLevel(env: { LOG_LEVEL?: string }): string {
  const level = env.LOG_LEVEL || "info";
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new PaddockError("USAGE", `LOG_LEVEL=${level} is invalid`, { hint: `set one of ${LOG_LEVELS.join(", ")}` });
  }
  return level;
}

/** Creates the app's root logger; each delivery gets a child of it with its ids. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    { level: options.level ?? "info", redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: { name: "paddock" }, onChild: keepLastBindings },
    options.destination,
  );
}

/**
 * Leaves each key once in a child logger's bindings, with the child's own value. Probot binds
 * `name` again in its children ("probot", then "event"), and pino only appends a child's
 * bindings to its parent's, so a line would otherwise carry `"name"` two or three times.
 */
function keepLastBindings(child: Logger): void {
  const record = child as unknown as Record<symbol, string>;
  const bindings = record[pino.symbols.chindingsSym];
  if (!bindings) return;
  // The bindings are JSON members, each starting with a comma. JSON.parse keeps a repeated key's last value.
  const merged = JSON.stringify(JSON.parse(`{${bindings.slice(1)}}`));
  record[pino.symbols.chindingsSym] = merged === "{}" ? "" : `,${merged.slice(1, -1)}`;
}
