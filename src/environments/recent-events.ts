/** Deliveries and event identities remembered for duplicate detection. */
export const MAX_REMEMBERED_EVENTS = 50_000;
/** How long an event stays remembered, in milliseconds: GitHub redelivers within hours. */
export const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * A bounded memory of events already accepted, by delivery id and by event identity (the same
 * event sent by two hooks has two delivery ids). Oldest entries go first when it is full.
 * NOTE: the memory is per process, so a redelivery after a restart is accepted again.
 */
export class RecentEvents {
  readonly #seen = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Records the keys and returns true when any of them was seen within the memory window. */
  checkAndRemember(keys: readonly string[]): boolean {
    const now = this.#now();
    const duplicate = keys.some((key) => {
      const seenAt = this.#seen.get(key);
      return seenAt !== undefined && now - seenAt < EVENT_MEMORY_MS;
    });
    for (const key of keys) {
      this.#seen.delete(key);
      this.#seen.set(key, now);
    }
    while (this.#seen.size > MAX_REMEMBERED_EVENTS) {
      const oldest = this.#seen.keys().next().value as string;
      this.#seen.delete(oldest);
    }
    return duplicate;
  }

  get size(): number {
    return this.#seen.size;
  }
}
