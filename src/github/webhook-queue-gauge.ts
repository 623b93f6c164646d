/**
 * Counts webhook deliveries that the front acknowledged and Probot has not yet handled, with their
 * body bytes, in memory that the front thread and the main thread share. The front adds each
 * delivery it posts, and the main thread removes it once Probot's handlers have settled, so
 * both read the same backlog without a message per change.
 */
export class WebhookQueueGauge {
  readonly buffer: SharedArrayBuffer;
  readonly #counters: BigInt64Array;

  /** Wraps `buffer` from another thread's gauge, or allocates a new one. */
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(2 * BigInt64Array.BYTES_PER_ELEMENT)) {
    this.buffer = buffer;
    this.#counters = new BigInt64Array(buffer);
  }

  add(bytes: number): void {
    Atomics.add(this.#counters, 0, 1n);
    Atomics.add(this.#counters, 1, BigInt(bytes));
  }

  remove(bytes: number): void {
    Atomics.sub(this.#counters, 0, 1n);
    Atomics.sub(this.#counters, 1, BigInt(bytes));
  }

  get deliveries(): number {
    return Number(Atomics.load(this.#counters, 0));
  }

  get bytes(): number {
    return Number(Atomics.load(this.#counters, 1));
  }
}
