import { setTimeout as sleep } from "node:timers/promises";

export interface WaitUntilOptions {
  /** What the wait expects, for the timeout message, for example "job build to succeed". */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/** Default time a cluster test waits for a controller to act. */
export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

/**
 * Calls `read` until it returns a value other than undefined and returns that
 * value. A thrown error counts as "not yet" and is quoted if the wait times out.
 */
export async function waitUntil<T>(read: () => Promise<T | undefined>, options: WaitUntilOptions): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;

  while (Date.now() < deadline) {
    try {
      const value = await read();
      if (value !== undefined) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    await sleep(options.intervalMs ?? 250);
  }

  const detail = lastError === undefined ? "" : `; last error: ${(lastError as Error).message}`;
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${options.description}${detail}`, { cause: lastError });
}
