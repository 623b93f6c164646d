import pino, { type Logger } from "pino";

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

/** Creates the app's root logger; each delivery gets a child of it with its ids. */
export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino({ level: options.level ?? "info", redact: { paths: REDACTED_PATHS, censor: "[redacted]" }, base: { name: "paddock" } }, options.destination);
}
