/** Kubernetes API verbs that the provider uses. */
export type ApiVerb = "get" | "list" | "watch" | "create" | "patch" | "update" | "delete";

/** Verbs that change objects. */
export const WRITE_VERBS: ReadonlySet<ApiVerb> = new Set(["create", "patch", "update", "delete"]);

/** Maximum number of environments whose counts are kept; the oldest is dropped beyond it. */
export const MAX_COUNTED_ENVIRONMENTS = 10_000;

/** API requests sent for one environment, retries included. */
export interface ApiCallCounts {
  total: number;
  writes: number;
  reads: number;
  byVerb: Partial<Record<ApiVerb, number>>;
}

/** Counts API requests per environment, so a benchmark can compare them with the objects applied. */
export class ApiCallCounter {
  readonly #counts = new Map<string, ApiCallCounts>();

  /** Records one request for `environment`. */
  record(environment: string, verb: ApiVerb): void {
    let counts = this.#counts.get(environment);
    if (counts === undefined) {
      counts = { total: 0, writes: 0, reads: 0, byVerb: {} };
      this.#counts.set(environment, counts);
      if (this.#counts.size > MAX_COUNTED_ENVIRONMENTS) {
        const oldest = this.#counts.keys().next().value;
        if (oldest !== undefined) this.#counts.delete(oldest);
      }
    }
    counts.total += 1;
    if (WRITE_VERBS.has(verb)) counts.writes += 1;
    else counts.reads += 1;
    counts.byVerb[verb] = (counts.byVerb[verb] ?? 0) + 1;
  }

  /** Returns a copy of the counts for `environment`; all zero when none was recorded. */
  read(environment: string): ApiCallCounts {
    const counts = this.#counts.get(environment);
    if (counts === undefined) return { total: 0, writes: 0, reads: 0, byVerb: {} };
    return { ...counts, byVerb: { ...counts.byVerb } };
  }

  /** Returns the counts for `environment` and starts it again from zero. */
  take(environment: string): ApiCallCounts {
    const counts = this.read(environment);
    this.#counts.delete(environment);
    return counts;
  }
}
