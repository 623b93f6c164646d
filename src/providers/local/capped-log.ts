import { open, type FileHandle } from "node:fs/promises";
import { Writable } from "node:stream";

import { PaddockError } from "../../errors.ts";

/** Default maximum bytes of output in one step or service log on the host: 10 MiB. */
export const DEFAULT_LOG_MAX_BYTES = 10 * 1024 * 1024;

/** Smallest accepted log cap, so that the head and the tail each keep at least a few lines. */
export const MIN_LOG_MAX_BYTES = 1024;

/** Largest accepted log cap: 1 GiB, because the tail half of the cap is kept in memory. */
export const MAX_LOG_MAX_BYTES = 1024 * 1024 * 1024;

/** Environment variable that sets the maximum bytes of output in each step and service log. */
export const LOG_MAX_BYTES_VARIABLE = "PADDOCK_LOG_MAX_BYTES";

/** Reads PADDOCK_LOG_MAX_BYTES, or returns the default when it is unset or empty. */
export function readLogMaxBytes(env: NodeJS.ProcessEnv): number {
  const text = env[LOG_MAX_BYTES_VARIABLE];
  if (text === undefined || text === "") return DEFAULT_LOG_MAX_BYTES;
  const bytes = Number(text);
  if (!/^\d+$/.test(text) || bytes < MIN_LOG_MAX_BYTES || bytes > MAX_LOG_MAX_BYTES) {
    throw new PaddockError("USAGE", `${LOG_MAX_BYTES_VARIABLE}=${text} is invalid`, {
      hint: `set a whole number of bytes from ${MIN_LOG_MAX_BYTES} to ${MAX_LOG_MAX_BYTES}, or leave it unset for the default ${DEFAULT_LOG_MAX_BYTES} (10 MiB)`,
    });
  }
  return bytes;
}

/** Returns the line a capped log contains between its head and its tail. */
export function describeDroppedBytes(droppedBytes: number): string {
  return `\npaddock: ${droppedBytes} bytes of output dropped here, because the log is limited to its first and last bytes (${LOG_MAX_BYTES_VARIABLE})\n`;
}

/**
 * A log file of at most `maxBytes` bytes of output plus one line. Output goes to the file as it
 * arrives until the file reaches `maxBytes`. When more arrives, the file keeps its first half
 * and, once the writer ends, the line from {@link describeDroppedBytes} and the last
 * `maxBytes - floor(maxBytes / 2)` bytes. The tail is kept in memory (a ring buffer allocated
 * when output passes the head), so a Paddock killed before the end leaves the first `maxBytes`
 * bytes. The cut is by bytes, so it may split a line or a UTF-8 character.
 */
export class CappedLogWriter extends Writable {
  private readonly headBytes: number;
  private readonly tailBytes: number;
  private handle: FileHandle | undefined;
  private totalBytes = 0;
  private ring: Buffer | undefined;
  private ringStart = 0;
  private ringLength = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
  ) {
    super();
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 2) throw new RangeError(`maxBytes must be an integer of at least 2, got ${maxBytes}`);
    this.headBytes = Math.floor(maxBytes / 2);
    this.tailBytes = maxBytes - this.headBytes;
  }

  /** Bytes written so far, including those dropped. */
  get receivedBytes(): number {
    return this.totalBytes;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, "w").then(
      (handle) => {
        this.handle = handle;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const offset = this.totalBytes;
    this.totalBytes += chunk.length;
    this.keepTail(chunk, offset);
    if (offset >= this.maxBytes) {
      callback();
      return;
    }
    const within = chunk.subarray(0, Math.min(chunk.length, this.maxBytes - offset));
    this.handle!.write(within, 0, within.length, offset).then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finish().then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const handle = this.handle;
    this.handle = undefined;
    if (handle === undefined) {
      callback(error);
      return;
    }
    handle.close().then(
      () => callback(error),
      (closeError: Error) => callback(error ?? closeError),
    );
  }

  /** Copies the part of `chunk` that lies past the head into the ring of the last `tailBytes` bytes. */
  private keepTail(chunk: Buffer, offset: number): void {
    const pastHead = chunk.subarray(Math.max(0, this.headBytes - offset));
    if (pastHead.length === 0) return;
    this.ring ??= Buffer.alloc(this.tailBytes);
    const kept = pastHead.subarray(Math.max(0, pastHead.length - this.tailBytes));
    let end = (this.ringStart + this.ringLength) % this.tailBytes;
    let copied = 0;
    while (copied < kept.length) {
      const count = Math.min(kept.length - copied, this.tailBytes - end);
      kept.copy(this.ring, end, copied, copied + count);
      copied += count;
      end = (end + count) % this.tailBytes;
    }
    const length = this.ringLength + kept.length;
    if (length > this.tailBytes) this.ringStart = (this.ringStart + length - this.tailBytes) % this.tailBytes;
    this.ringLength = Math.min(length, this.tailBytes);
  }

  /** Replaces everything after the head with the dropped-bytes line and the tail, when output passed the cap. */
  private async finish(): Promise<void> {
    const handle = this.handle!;
    if (this.totalBytes > this.maxBytes) {
      const ring = this.ring!;
      const tail = Buffer.concat([ring.subarray(this.ringStart), ring.subarray(0, this.ringStart)]);
      const note = Buffer.from(describeDroppedBytes(this.totalBytes - this.maxBytes), "utf8");
      await handle.truncate(this.headBytes);
      await handle.write(Buffer.concat([note, tail]), 0, note.length + tail.length, this.headBytes);
    }
    this.handle = undefined;
    await handle.close();
  }
}
