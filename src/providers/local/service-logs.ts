import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";

import type { Logger } from "pino";

import { CappedLogWriter } from "./capped-log.ts";

/** The capped log files of a run's services, fed from the pipes the services write to. */
export interface ServiceLogs {
  /** Connects each service's pipe, in the order of the paths, to its log. A missing pipe ends its log at once. */
  connect(streams: ReadonlyArray<Readable | null | undefined>): void;
  /**
   * Waits until every pipe has ended and its log is complete on disk. After `timeoutMs`, a pipe
   * that a leftover process keeps open is closed, and its log ends with what arrived.
   */
  finish(timeoutMs: number): Promise<void>;
}

/** Creates one {@link CappedLogWriter} per path, after creating the paths' folders. */
export async function openServiceLogs(options: { paths: string[]; maxBytes: number; logger: Pick<Logger, "warn"> }): Promise<ServiceLogs> {
  const { paths, maxBytes, logger } = options;
  for (const logPath of paths) await mkdir(path.dirname(logPath), { recursive: true });
  const writers = paths.map((logPath) => new CappedLogWriter(logPath, maxBytes));
  const done = writers.map(
    (writer, index) =>
      new Promise<void>((resolve) => {
        writer.once("close", () => resolve());
        writer.once("error", (error) => {
          logger.warn({ err: error, logPath: paths[index] }, "writing a service log failed");
          resolve();
        });
      }),
  );
  const sources: Array<Readable | undefined> = [];

  return {
    connect(streams) {
      for (const [index, writer] of writers.entries()) {
        const stream = streams[index] ?? undefined;
        sources[index] = stream;
        if (stream === undefined) writer.end();
        else stream.pipe(writer);
      }
    },
    async finish(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
      const outcome = await Promise.race([Promise.all(done), timedOut]);
      clearTimeout(timer);
      if (outcome !== "timeout") return;

      for (const [index, writer] of writers.entries()) {
        const stream = sources[index];
        stream?.unpipe(writer);
        stream?.destroy();
        if (!writer.writableEnded) writer.end();
      }
      await Promise.all(done);
    },
  };
}
