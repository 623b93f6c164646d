import type { CheckRunSink } from "./check-run-reporter.ts";

/**
 * Time after an installation's last check-run write during which it counts as busy, in
 * milliseconds. Octokit's throttling sends one installation's writes at least a second apart,
 * so a write sent meanwhile waits behind the earlier ones.
 */
export const BUSY_AFTER_WRITE_MS = 10_000;

/** Installations remembered before those idle for longer than `BUSY_AFTER_WRITE_MS` are pruned. */
const MAX_REMEMBERED_INSTALLATIONS = 1_000;

interface InstallationWrites {
  /** Writes sent that have no response yet. */
  pending: number;
  /** `now()` when the latest write settled. */
  settledAt: number;
}

/**
 * Tracks the check-run writes of each installation: those sent that have no response yet, and
 * when the latest one settled. An installation with a write pending or settled within
 * `BUSY_AFTER_WRITE_MS` is busy, so optional writes, such as the cancelled check runs of
 * superseded commits, are left out and GitHub's write budget goes to the runs that build.
 */
export class CheckRunWriteGauge {
  readonly #installations = new Map<number, InstallationWrites>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** Returns true when the installation has no check-run write pending and none settled recently. */
  isIdle(installationId: number): boolean {
    const writes = this.#installations.get(installationId);
    return writes === undefined || (writes.pending === 0 && this.#now() - writes.settledAt >= BUSY_AFTER_WRITE_MS);
  }

  /** Runs one write, such as a preview's deployment status, counted against the installation while it runs. */
  count<T>(installationId: number, write: () => Promise<T>): Promise<T> {
    const writes = this.#track(installationId);
    writes.pending += 1;
    return write().finally(() => {
      writes.pending -= 1;
      writes.settledAt = this.#now();
    });
  }

  /** Wraps a sink so that each of its writes is counted against the installation while it runs. */
  countWrites(options: { sink: CheckRunSink; installationId: number }): CheckRunSink {
    const { sink, installationId } = options;
    const count = <T>(write: () => Promise<T>): Promise<T> => this.count(installationId, write);
    return {
      start: (view) => count(() => sink.start(view)),
      update: (id, view) => count(() => sink.update(id, view)),
      complete: (id, view) => count(() => sink.complete(id, view)),
      createCompleted: (view) => count(() => sink.createCompleted(view)),
    };
  }

  #track(installationId: number): InstallationWrites {
    let writes = this.#installations.get(installationId);
    if (writes) return writes;
    if (this.#installations.size >= MAX_REMEMBERED_INSTALLATIONS) this.#prune();
    writes = { pending: 0, settledAt: Number.NEGATIVE_INFINITY };
    this.#installations.set(installationId, writes);
    return writes;
  }

  #prune(): void {
    for (const [installationId, writes] of this.#installations) {
      if (writes.pending === 0 && this.#now() - writes.settledAt >= BUSY_AFTER_WRITE_MS) this.#installations.delete(installationId);
    }
  }
}
