import type { CheckRunSink } from "./check-run-reporter.ts";

/**
 * Counts the check-run writes of each installation that were sent and have no response yet. Octokit's
 * throttling sends one installation's writes one at a time, at least a second apart, so a
 * count above zero means writes are queued. Entries go when their count returns to zero.
 */
export class CheckRunWriteGauge {
  readonly #pending = new Map<number, number>();

  /** Returns true when no check-run write of the installation is waiting or in flight. */
  isIdle(installationId: number): boolean {
    return !this.#pending.has(installationId);
  }

  /** Wraps a sink so that each of its writes is counted against the installation while it runs. */
  countWrites(options: { sink: CheckRunSink; installationId: number }): CheckRunSink {
    const { sink, installationId } = options;
    const count = <T>(write: () => Promise<T>): Promise<T> => {
      this.#pending.set(installationId, (this.#pending.get(installationId) ?? 0) + 1);
      return write().finally(() => {
        const left = (this.#pending.get(installationId) ?? 1) - 1;
        if (left > 0) this.#pending.set(installationId, left);
        else this.#pending.delete(installationId);
      });
    };
    return {
      start: (view) => count(() => sink.start(view)),
      update: (id, view) => count(() => sink.update(id, view)),
      complete: (id, view) => count(() => sink.complete(id, view)),
      createCompleted: (view) => count(() => sink.createCompleted(view)),
    };
  }
}
