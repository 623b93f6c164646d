/** Deliveries and event identities remembered for duplicate detection. */
export const MAX_REMEMBERED_EVENTS = 50_000;
/** How long an event stays remembered, in milliseconds: GitHub redelivers within hours. */
export const EVENT_MEMORY_MS = 24 * 60 * 60 * 1000;

/**
 * A bounded memory of events already accepted, by delivery id and by event identity (the same
 * event sent by two hooks has two delivery ids). Each key is kept as a 64-bit hash and a time in
 * typed arrays allocated once, so the memory is fixed (about 2 MB at the default capacity) and
 * does not grow with deliveries. Keys live in two generations of half the capacity each:
 * when the newer one is full, the older one is dropped. So a key is remembered for at least
 * half the capacity of later keys and at most the whole capacity.
 * NOTE: two different keys with the same 64-bit hash would read as a duplicate. With 50,000 keys
 * remembered, the chance for one new key is about 3e-15.
 * NOTE: the memory is per process, so a redelivery after a restart is accepted again.
 */
export class RecentEvents {
  readonly #now: () => number;
  readonly #generationCapacity: number;
  #current: HashGeneration;
  #previous: HashGeneration;

  constructor(options: { now?: () => number; capacity?: number } = {}) {
    const capacity = options.capacity ?? MAX_REMEMBERED_EVENTS;
    if (!Number.isInteger(capacity) || capacity < 2) throw new Error(`RecentEvents capacity ${capacity} is invalid: pass a whole number of 2 or more`);
    this.#now = options.now ?? Date.now;
    this.#generationCapacity = Math.ceil(capacity / 2);
    this.#current = new HashGeneration(this.#generationCapacity);
    this.#previous = new HashGeneration(this.#generationCapacity);
  }

  /** Records the keys and returns true when any of them was seen within the memory window. */
  checkAndRemember(keys: readonly string[]): boolean {
    const now = this.#now();
    let duplicate = false;
    for (const key of keys) {
      const [high, low] = hashKey(key);
      const seenAt = this.#current.find(high, low) ?? this.#previous.find(high, low);
      if (seenAt !== undefined && now - seenAt < EVENT_MEMORY_MS) duplicate = true;
    }
    for (const key of keys) {
      const [high, low] = hashKey(key);
      if (this.#current.size >= this.#generationCapacity && this.#current.find(high, low) === undefined) this.#rotate();
      this.#current.set(high, low, now);
    }
    return duplicate;
  }

  /** Keys held in both generations; a key remembered again is counted in each. */
  get size(): number {
    return this.#current.size + this.#previous.size;
  }

  #rotate(): void {
    const emptied = this.#previous;
    emptied.clear();
    this.#previous = this.#current;
    this.#current = emptied;
  }
}

/**
 * An open-addressing hash set of 64-bit key hashes with a time each, probed linearly. It is
 * at most half full, and never deletes single entries, only clears all of them.
 */
class HashGeneration {
  readonly #high: Uint32Array;
  readonly #low: Uint32Array;
  readonly #times: Float64Array;
  readonly #mask: number;
  size = 0;

  constructor(capacity: number) {
    let slots = 2;
    while (slots < capacity * 2) slots *= 2;
    this.#high = new Uint32Array(slots);
    this.#low = new Uint32Array(slots);
    this.#times = new Float64Array(slots);
    this.#mask = slots - 1;
  }

  find(high: number, low: number): number | undefined {
    const slot = this.#slotOf(high, low);
    return this.#isEmpty(slot) ? undefined : this.#times[slot];
  }

  set(high: number, low: number, time: number): void {
    const slot = this.#slotOf(high, low);
    if (this.#isEmpty(slot)) {
      this.#high[slot] = high;
      this.#low[slot] = low;
      this.size += 1;
    }
    this.#times[slot] = time;
  }

  clear(): void {
    this.#high.fill(0);
    this.#low.fill(0);
    this.#times.fill(0);
    this.size = 0;
  }

  // The slot holding the hash, or the empty slot where it would go.
  #slotOf(high: number, low: number): number {
    let slot = low & this.#mask;
    while (!this.#isEmpty(slot) && (this.#high[slot] !== high || this.#low[slot] !== low)) slot = (slot + 1) & this.#mask;
    return slot;
  }

  #isEmpty(slot: number): boolean {
    return this.#high[slot] === 0 && this.#low[slot] === 0;
  }
}

/**
 * Hashes a key to two 32-bit halves with two multiply-xorshift lanes over its UTF-16 code
 * units (the mixing of cyrb53, kept at 64 bits). The all-zero hash marks an empty slot, so it
 * is moved to 1.
 */
function hashKey(key: string): [number, number] {
  let first = 0xdeadbeef;
  let second = 0x41c6ce57;
  for (let index = 0; index < key.length; index += 1) {
    const code = key.charCodeAt(index);
    first = Math.imul(first ^ code, 2_654_435_761);
    second = Math.imul(second ^ code, 1_597_334_677);
  }
  first = Math.imul(first ^ (first >>> 16), 2_246_822_507) ^ Math.imul(second ^ (second >>> 13), 3_266_489_909);
  second = Math.imul(second ^ (second >>> 16), 2_246_822_507) ^ Math.imul(first ^ (first >>> 13), 3_266_489_909);
  const high = first >>> 0;
  const low = second >>> 0;
  return high === 0 && low === 0 ? [0, 1] : [high, low];
}
