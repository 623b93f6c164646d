import pino from "pino";

/** Warnings and errors by log message: how often each came, and the error of the first one. */
export type ProblemCounts = Map<string, { count: number; firstError: string | undefined }>;

/**
 * Creates a pino logger that drops lines below `warn` and counts the rest by message, with the
 * error message of the first line of each. A benchmark reports these counts instead of
 * printing thousands of lines.
 */
export function createCountingLogger(): { logger: pino.Logger; problems: ProblemCounts } {
  const problems: ProblemCounts = new Map();
  const logger = pino(
    { level: "warn" },
    {
      write: (line: string) => {
        const entry = JSON.parse(line) as { msg?: unknown; err?: { message?: unknown } };
        const message = String(entry.msg);
        const counted = problems.get(message) ?? { count: 0, firstError: typeof entry.err?.message === "string" ? entry.err.message : undefined };
        counted.count += 1;
        problems.set(message, counted);
      },
    },
  );
  return { logger, problems };
}

/** Formats the counted problems as `3× "message" (first error: ...)`, or `none`. */
export function describeProblems(problems: ProblemCounts): string {
  const parts = [...problems.entries()].map(([message, { count, firstError }]) => `${count}× "${message}"${firstError ? ` (first error: ${firstError})` : ""}`);
  return parts.join(", ") || "none";
}
