import { open } from "node:fs/promises";

import { formatDuration } from "./format-duration.ts";
import { DEFAULT_TAIL_BYTES, OutputTail } from "./output-tail.ts";
import type { SupervisorFailure } from "./service-supervisor-source.ts";

/** Returns the message for a service that has no `run` command, which the local provider needs. */
export function describeMissingRun(name: string): string {
  return `service ${name} has no run command, which the local provider needs because it builds and pulls no images: add run, such as run: node server.js`;
}

/** Turns the supervisor's report of a failed service into one line for the check run. */
export function describeServiceFailure(options: { name: string; port: number; timeoutSeconds: number; failure: SupervisorFailure }): string {
  const { name, port, timeoutSeconds, failure } = options;
  switch (failure.kind) {
    case "port-in-use":
      return `port ${port} was already in use before service ${name} started: give each service its own port, or stop the process that listens on it`;
    case "spawn":
      return `service ${name} could not start: ${failure.detail}`;
    case "exited":
      if (failure.code === 0) return `service ${name} exited with code 0 before it was ready: its run command must keep the service in the foreground`;
      if (failure.code !== null) return `service ${name} exited with code ${failure.code} before it was ready`;
      return `service ${name} was killed by signal ${failure.signal ?? "unknown"} before it was ready`;
    case "timeout":
      return `service ${name} was not ready after ${formatDuration(timeoutSeconds)}: ${failure.detail}`;
  }
}

/** Reads the last lines of a service log, at most {@link DEFAULT_TAIL_BYTES} bytes; empty when there is no log. */
export async function readLogTail(logPath: string, maxLines: number): Promise<string> {
  const file = await open(logPath, "r").catch(() => undefined);
  if (file === undefined) return "";
  try {
    const { size } = await file.stat();
    const length = Math.min(size, DEFAULT_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    const tail = new OutputTail({ maxLines });
    tail.push(buffer);
    return tail.read().text;
  } finally {
    await file.close();
  }
}
