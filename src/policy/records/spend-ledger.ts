import path from "node:path";
import { z } from "zod";
import { ACTOR_CLASSES, type ActorClass } from "../actor-class.ts";
import { appendJsonLine, readJsonLines } from "./jsonl-file.ts";

/** One environment's projected cost, recorded when the environment is created. */
export interface SpendEntry {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  repositoryId: number;
  actorClass: ActorClass;
  environment: string;
  headSha: string;
  currency: string;
  /** Nano-units (1e-9) of `currency`, as a decimal string. */
  nanos: string;
  /** ISO 8601 time of the record. */
  at: string;
  /**
   * How many entries were summed into this one when its ledger was full; absent on an entry of one
   * environment. A summed entry has an empty `environment` and `headSha`.
   */
  folded?: number;
}

/**
 * Spend so far, read from Paddock's own records of past environments rather than from process
 * memory, so a restart loses nothing.
 * NOTE: the audit ledger records the same facts; once it can answer this query, an
 * implementation over it should replace the JSONL file below.
 */
export interface SpendLedger {
  /** Sums the entries of a UTC day in one currency, for one repository and optionally one actor class. */
  spentToday(query: { repositoryId: number; actorClass?: ActorClass; day: string; currency: string }): Promise<bigint>;
  record(entry: SpendEntry): Promise<void>;
}

/** The schema every stored spend entry is read back through. */
export const spendEntrySchema = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  repositoryId: z.number().int(),
  actorClass: z.enum(ACTOR_CLASSES),
  environment: z.string(),
  headSha: z.string(),
  currency: z.string(),
  nanos: z.string().regex(/^\d+$/),
  at: z.string(),
  folded: z.number().int().positive().optional(),
});

/** Returns the UTC day of a time as `YYYY-MM-DD`, the key budgets reset on. */
export function utcDay(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/**
 * Creates a ledger over one JSONL file per UTC day in `<stateDir>/spend/`. Entries in another
 * currency than the query's are not summed: they were priced under another price table.
 */
export function createJsonlSpendLedger(options: { stateDir: string }): SpendLedger {
  const fileOf = (day: string) => path.join(options.stateDir, "spend", `${day}.jsonl`);
  return {
    async spentToday(query) {
      const entries = await readJsonLines(fileOf(query.day), (value) => spendEntrySchema.parse(value));
      return sumSpend(entries, query);
    },
    async record(entry) {
      requireSpendDay(entry.day);
      await appendJsonLine(fileOf(entry.day), entry);
    },
  };
}

/** Sums the entries that match a query of SpendLedger.spentToday. */
export function sumSpend(entries: readonly SpendEntry[], query: Parameters<SpendLedger["spentToday"]>[0]): bigint {
  return entries
    .filter((entry) => entry.repositoryId === query.repositoryId && entry.currency === query.currency && entry.day === query.day)
    .filter((entry) => query.actorClass === undefined || entry.actorClass === query.actorClass)
    .reduce((sum, entry) => sum + BigInt(entry.nanos), 0n);
}

/** Throws unless `day` is a UTC day as `YYYY-MM-DD`, because ledgers store entries by day. */
export function requireSpendDay(day: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`spend entry day ${JSON.stringify(day)} is not YYYY-MM-DD`);
}
