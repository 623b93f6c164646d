import pino from "pino";

/**
 * Creates a pino logger that drops lines below `warn` and counts the rest by message, so a
 * benchmark can report the warnings and errors of a run without printing thousands of lines.
 */
export function createCountingLogger(): { logger: pino.Logger; problems: Map<string, number> } {
  const problems = new Map<string, number>();
  const logger = pino(
    { level: "warn" },
    {
      write: (line: string) => {
        const message = String((JSON.parse(line) as { msg?: unknown }).msg);
        problems.set(message, (problems.get(message) ?? 0) + 1);
      },
    },
  );
  return { logger, problems };
}

/** Formats the counted problems as `3× "message"`, or `none`. */
export function describeProblems(problems: ReadonlyMap<string, number>): string {
  return [...problems.entries()].map(([message, count]) => `${count}× "${message}"`).join(", ") || "none";
}
