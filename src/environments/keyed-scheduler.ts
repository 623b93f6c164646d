import pLimit, { type LimitFunction } from "p-limit";
import type { Logger } from "pino";

/** One unit of work for an environment key. */
export interface ScheduledWork {
  kind: "run" | "teardown";
  /** Head commit the run is for; null for teardown. */
  sha: string | null;
  /** Does the work; must stop soon after `signal` aborts. */
  execute: (signal: AbortSignal) => Promise<void>;
  /** Called instead of `execute` when newer work replaced this one before it started. */
  supersede: (reason: string) => Promise<void>;
}

interface KeyState {
  running?: { work: ScheduledWork; controller: AbortController };
  pending?: ScheduledWork;
}

/**
 * Serialises work per environment key. At most one job runs and one waits for each key: new
 * work replaces the waiting job (which is told it was superseded) and aborts the running job,
 * so only the newest commit is built and a teardown pre-empts everything before it.
 */
export class KeyedScheduler {
  readonly #states = new Map<string, KeyState>();
  readonly #idleWaiters: Array<() => void> = [];
  readonly #logger: Logger;
  readonly #limit: LimitFunction;

  /** `concurrency` bounds how many keys run work at the same time. */
  constructor(options: { logger: Logger; concurrency: number }) {
    this.#logger = options.logger;
    this.#limit = pLimit(options.concurrency);
  }

  /** Queues work for a key and returns at once. */
  submit(key: string, work: ScheduledWork): void {
    const state = this.#states.get(key) ?? {};
    this.#states.set(key, state);
    const reason = describeReplacement(work);

    if (state.pending) {
      const replaced = state.pending;
      void replaced.supersede(reason).catch((error: unknown) => this.#logger.error({ err: error, key }, "superseding queued work failed"));
    }
    state.pending = work;

    if (state.running) {
      // A teardown is never interrupted half-way: it cannot leak objects if it runs to the end.
      if (state.running.work.kind === "run") state.running.controller.abort(new Error(reason));
      return;
    }
    this.#startNext(key, state);
  }

  /** Number of keys with running or waiting work. */
  get activeKeys(): number {
    return this.#states.size;
  }

  /** Resolves when no work is running or waiting. */
  onIdle(): Promise<void> {
    if (this.#states.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #startNext(key: string, state: KeyState): void {
    const work = state.pending;
    if (!work) {
      this.#states.delete(key);
      if (this.#states.size === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve());
      return;
    }
    state.pending = undefined;
    const controller = new AbortController();
    state.running = { work, controller };

    void this.#limit(() => work.execute(controller.signal))
      .catch((error: unknown) => this.#logger.error({ err: error, key, kind: work.kind }, "scheduled work failed"))
      .finally(() => {
        state.running = undefined;
        this.#startNext(key, state);
      });
  }
}

function describeReplacement(work: ScheduledWork): string {
  if (work.kind === "teardown") return "Cancelled: the environment is being torn down";
  return `Cancelled: superseded by ${work.sha?.slice(0, 7) ?? "newer work"}`;
}
