import pLimit, { type LimitFunction } from "p-limit";

interface InstallationQueue {
  limit: LimitFunction;
  /** Writes submitted and not yet settled. */
  waiting: number;
}

/**
 * Sends GitHub writes that may wait, such as the cancelled check runs of superseded commits, one
 * at a time per installation. Octokit's throttling sends an installation's writes in the order
 * they were issued, one a second (plugin-throttling 11). Fifty cancellations issued at once
 * would put the newest commit's `in_progress` check run fifty seconds back. Issued one at a
 * time, they leave any other write behind at most one of them.
 */
export class DeferredWrites {
  readonly #queues = new Map<string, InstallationQueue>();

  /** Runs `write` after the installation's earlier deferred writes have settled. */
  run<T>(installation: string, write: () => Promise<T>): Promise<T> {
    const queue = this.#queues.get(installation) ?? { limit: pLimit(1), waiting: 0 };
    this.#queues.set(installation, queue);
    queue.waiting += 1;
    return queue.limit(write).finally(() => {
      queue.waiting -= 1;
      if (queue.waiting === 0) this.#queues.delete(installation);
    });
  }

  /** Number of the installation's deferred writes submitted and not yet settled. */
  waiting(installation: string): number {
    return this.#queues.get(installation)?.waiting ?? 0;
  }

  /** Number of installations with deferred writes waiting or running. */
  get activeInstallations(): number {
    return this.#queues.size;
  }
}
