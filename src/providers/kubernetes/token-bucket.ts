import { setTimeout as sleep } from "node:timers/promises";

/**
 * Default sustained rate of API requests per second. client-go defaults to 5 requests per
 * second with a burst of 10; an environment takes about eight requests, so Paddock allows more.
 */
export const DEFAULT_API_QPS = 20;
/** Default number of API requests that may go out at once before the rate applies. */
export const DEFAULT_API_BURST = 40;

/** Options of {@link TokenBucket}. */
export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Maximum tokens held, so the largest burst. The bucket starts full. */
  burst: number;
  /** Clock in milliseconds; defaults to `performance.now`. */
  now?: () => number;
  /** Waits the given milliseconds; defaults to a timer. Rejects when `signal` aborts. */
  wait?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Client-side rate limiter for API requests: a token bucket that refills at `qps` and holds up
 * to `burst` tokens. A request that finds no token reserves the next one and waits for it, so
 * waiters are served in arrival order without a queue.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  readonly #now: () => number;
  readonly #wait: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  #tokens: number;
  #updatedAt: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.qps > 0) || !Number.isFinite(options.qps)) throw new RangeError(`qps must be a positive number, got ${options.qps}`);
    if (!Number.isInteger(options.burst) || options.burst < 1) throw new RangeError(`burst must be a positive integer, got ${options.burst}`);
    this.qps = options.qps;
    this.burst = options.burst;
    this.#now = options.now ?? (() => performance.now());
    this.#wait = options.wait ?? ((milliseconds, signal) => sleep(milliseconds, undefined, { signal }));
    this.#tokens = options.burst;
    this.#updatedAt = this.#now();
  }

  /** Takes one token, waiting for it when the bucket is empty. Rejects when `signal` aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    const now = this.#now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#updatedAt) * this.qps) / 1000);
    this.#updatedAt = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return;

    const waitMs = (-this.#tokens * 1000) / this.qps;
    try {
      await this.#wait(waitMs, signal);
    } catch (error) {
      // The reserved token was never used, so hand it back to later requests.
      this.#tokens += 1;
      throw error;
    }
  }
}
