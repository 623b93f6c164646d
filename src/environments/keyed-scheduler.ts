import pLimit, { type LimitFunction } from "p-limit";
import type { Logger } from "pino";
import { wasLogged } from "../logged-errors.ts";

/** Quiet time after a push during which newer pushes replace the waiting run, in milliseconds. */
export const DEFAULT_QUIET_MS = 3_000;

/** Keys whose latest submit time is kept before old entries are pruned. */
const MAX_REMEMBERED_KEYS = 10_000;

/** One unit of work for an environment key. */
export interface ScheduledWork {
  kind: "run" | "teardown";
  /** Head commit the run is for; null for teardown. */
  sha: string | null;
  /** Does the work; must stop soon after `signal` aborts. */
  execute: (signal: AbortSignal) => Promise<void>;
  /** Called instead of `execute` when newer work replaced this one before it started. */
  supersede: (reason: string) => Promise<void>;
  /** Called instead of `execute` when the key moved to another replica before this work started. */
  handOver?: () => Promise<void>;
}

/** Whether submitted work started at once or waits behind other work for its key. */
export type SubmitOutcome = "started" | "queued";

interface KeyState {
  running?: { work: ScheduledWork; controller: AbortController };
  pending?: ScheduledWork;
  /** Set while the key is in a burst: the pending run starts when the timer fires. */
  quietTimer?: NodeJS.Timeout;
  /** Callers of `preempt` waiting for the running job to end. */
  preemptWaiters?: Array<() => void>;
}

/**
 * Serialises work per environment key and coalesces bursts. At most one job runs and one waits
 * for each key. New work replaces the waiting job (which is told it was superseded) and aborts
 * a running run. A run submitted while the key is busy, or within `quietMs` of the key's previous
 * submit, waits until no newer push has come for `quietMs`, so a burst of pushes closer together
 * than that starts at most two pipelines: the first and the last. A teardown never waits for
 * quiet and is never interrupted.
 */
export class KeyedScheduler {
  readonly #states = new Map<string, KeyState>();
  readonly #idleWaiters: Array<() => void> = [];
  readonly #logger: Logger;
  readonly #limit: LimitFunction;
  readonly #quietMs: number;
  /** Time of the latest submit per key, so a push soon after a finished run still counts as a burst. */
  readonly #lastSubmitAt = new Map<string, number>();

  /** `concurrency` bounds how many keys run work at the same time. */
  constructor(options: { logger: Logger; concurrency: number; quietMs?: number }) {
    this.#logger = options.logger;
    this.#limit = pLimit(options.concurrency);
    this.#quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
  }

  /** Queues work for a key and returns at once, saying whether it started. */
  submit(key: string, work: ScheduledWork): SubmitOutcome {
    const state = this.#states.get(key) ?? {};
    this.#states.set(key, state);
    const now = performance.now();
    const recent = now - (this.#lastSubmitAt.get(key) ?? Number.NEGATIVE_INFINITY) < this.#quietMs;
    this.#rememberSubmit(key, now);
    const busy = recent || state.running !== undefined || state.pending !== undefined || state.quietTimer !== undefined;
    const reason = describeReplacement(work);

    // 1. Replace the waiting job and stop a running run.
    if (state.pending) this.#supersede(key, state.pending, reason);
    state.pending = work;
    if (state.running?.work.kind === "run") state.running.controller.abort(new Error(reason));

    // 2. Start now when the key was idle; otherwise wait for the running job and, for runs, for quiet.
    if (work.kind === "teardown") {
      clearTimeout(state.quietTimer);
      state.quietTimer = undefined;
    } else if (busy) {
      clearTimeout(state.quietTimer);
      state.quietTimer = setTimeout(() => {
        state.quietTimer = undefined;
        if (!state.running) this.#startNext(key, state);
      }, this.#quietMs);
    }
    if (state.running || state.quietTimer) return "queued";
    this.#startNext(key, state);
    return "started";
  }

  /**
   * Stops everything: waiting work is superseded with `reason` and running runs are aborted
   * with it. A running teardown finishes, because stopping it half-way could leak objects.
   */
  stopAll(reason: string): void {
    for (const [key, state] of this.#states) {
      clearTimeout(state.quietTimer);
      state.quietTimer = undefined;
      if (state.pending) this.#supersede(key, state.pending, reason);
      state.pending = undefined;
      if (state.running?.work.kind === "run") state.running.controller.abort(new Error(reason));
      if (!state.running) this.#startNext(key, state);
    }
  }

  /** Pipeline slots that work started now would get at once, without waiting for another key's work. */
  get freeSlots(): number {
    return Math.max(0, this.#limit.concurrency - this.#limit.activeCount - this.#limit.pendingCount);
  }

  /**
   * Stops a key's work and resolves once none of it runs: the waiting job is superseded with
   * `reason` and a running run is aborted with it. A running teardown is waited for, not stopped.
   * Work submitted after the call is left alone.
   */
  preempt(key: string, reason: string): Promise<void> {
    const state = this.#states.get(key);
    if (!state) return Promise.resolve();
    clearTimeout(state.quietTimer);
    state.quietTimer = undefined;
    if (state.pending) this.#supersede(key, state.pending, reason);
    state.pending = undefined;
    if (!state.running) {
      this.#startNext(key, state);
      return Promise.resolve();
    }
    if (state.running.work.kind === "run") state.running.controller.abort(new Error(reason));
    return new Promise((resolve) => (state.preemptWaiters ??= []).push(resolve));
  }

  /**
   * Lets go of the keys `matches` selects, because another replica takes them over. Waiting work
   * is handed over. Running runs are aborted with `reason`, which should be a DetachError, so that
   * steps outside the process keep running for the new owner. A running teardown finishes.
   */
  detach(matches: (key: string) => boolean, reason: Error): void {
    for (const [key, state] of this.#states) {
      if (!matches(key)) continue;
      clearTimeout(state.quietTimer);
      state.quietTimer = undefined;
      const pending = state.pending;
      state.pending = undefined;
      if (pending) void (pending.handOver ?? (() => pending.supersede(reason.message)))().catch((error: unknown) => this.#logger.error({ err: error, key, sha: pending.sha }, "handing over queued work failed"));
      if (state.running?.work.kind === "run") state.running.controller.abort(reason);
      if (!state.running) this.#startNext(key, state);
    }
  }

  /** True when any key that `matches` selects has running or waiting work. */
  hasWork(matches: (key: string) => boolean): boolean {
    for (const key of this.#states.keys()) if (matches(key)) return true;
    return false;
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

  #rememberSubmit(key: string, now: number): void {
    this.#lastSubmitAt.set(key, now);
    if (this.#lastSubmitAt.size <= MAX_REMEMBERED_KEYS) return;
    for (const [other, time] of this.#lastSubmitAt) {
      if (now - time >= this.#quietMs) this.#lastSubmitAt.delete(other);
    }
  }

  #supersede(key: string, work: ScheduledWork, reason: string): void {
    void work.supersede(reason).catch((error: unknown) => this.#logger.error({ err: error, key, sha: work.sha }, "superseding queued work failed"));
  }

  #startNext(key: string, state: KeyState): void {
    const work = state.pending;
    if (!work) {
      if (state.quietTimer) return;
      this.#states.delete(key);
      if (this.#states.size === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve());
      return;
    }
    state.pending = undefined;
    const controller = new AbortController();
    state.running = { work, controller };

    void this.#limit(() => work.execute(controller.signal))
      .catch((error: unknown) => {
        // An error the work logged with its own ids already (a failed check-run creation) is not repeated here.
        if (!wasLogged(error)) this.#logger.error({ err: error, key, kind: work.kind }, "scheduled work failed");
      })
      .finally(() => {
        state.running = undefined;
        state.preemptWaiters?.splice(0).forEach((resolve) => resolve());
        if (!state.quietTimer) this.#startNext(key, state);
      });
  }
}

function describeReplacement(work: ScheduledWork): string {
  if (work.kind === "teardown") return "Cancelled: the environment is being torn down";
  return `Cancelled: superseded by ${work.sha?.slice(0, 7) ?? "newer work"}`;
}
