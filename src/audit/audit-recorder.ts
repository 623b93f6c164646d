import { describeError } from "../errors.ts";
import type { AuditAppendResult, AuditLedger } from "./audit-ledger.ts";
import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";
import type { AuditSpool } from "./audit-spool.ts";
import { buildPendingAuditRecord, type AuditRecordInput } from "./build-audit-record.ts";
import { isRetryableLedgerError } from "./github-request.ts";

/** Records sent to the ledger in one commit. */
export const FLUSH_BATCH_SIZE = 100;
/** Attempts per batch before a flush gives up and leaves the batch in the spool. */
export const FLUSH_MAX_ATTEMPTS = 5;
/** First wait between attempts; it doubles after each failure. */
export const FLUSH_BACKOFF_BASE_MS = 1_000;
/** Maximum wait between attempts. */
export const FLUSH_BACKOFF_MAX_MS = 30_000;

/** The logger calls the recorder makes; a pino logger fits. */
export interface AuditRecorderLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Outcome of one flush. */
export interface AuditFlushResult {
  appended: AuditRecord[];
  /** Spooled records the ledger already had, from a flush that stopped before cleaning up. */
  duplicates: number;
}

/** Makes audit records durable at once and moves them to the ledger later. */
export interface AuditRecorder {
  /** Builds, redacts and checks a record, then stores it in the spool; resolves once it is durable. */
  record(input: AuditRecordInput): Promise<PendingAuditRecord>;
  /**
   * Sends every spooled record to the ledger in batches, oldest first, and removes each batch
   * from the spool only after the ledger stored it. Retries with exponential backoff and
   * rejects when a batch still fails, leaving it spooled. A flush called while one runs
   * starts when that one ends, so it also sends records made in between.
   */
  flush(): Promise<AuditFlushResult>;
}

/** Options of `createAuditRecorder`; clock, sleep and logger are injected. */
export interface AuditRecorderOptions {
  spool: AuditSpool;
  ledger: AuditLedger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  logger?: AuditRecorderLogger;
  /** Defaults to `FLUSH_BATCH_SIZE`. */
  batchSize?: number;
}

/** Creates a recorder over a spool and a ledger. */
export function createAuditRecorder(options: AuditRecorderOptions): AuditRecorder {
  const now = options.now ?? (() => new Date());
  let running: Promise<AuditFlushResult> | undefined;
  let queued: Promise<AuditFlushResult> | undefined;

  const flush = (): Promise<AuditFlushResult> => {
    if (!running) {
      running = flushSpool(options).finally(() => (running = undefined));
      return running;
    }
    // One waiting flush serves every caller that arrives while a flush runs.
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return flush();
      });
    return queued;
  };

  return {
    async record(input) {
      const record = buildPendingAuditRecord({ input, now: now() });
      await options.spool.append([record]);
      return record;
    },
    flush,
  };
}

async function flushSpool(options: AuditRecorderOptions): Promise<AuditFlushResult> {
  const result: AuditFlushResult = { appended: [], duplicates: 0 };
  for (;;) {
    const batch = await options.spool.list({ limit: options.batchSize ?? FLUSH_BATCH_SIZE });
    if (batch.length === 0) return result;

    const { records, duplicateIds } = await appendWithRetry(options, batch);
    await options.spool.remove(batch.map((record) => record.id));
    result.appended.push(...records);
    result.duplicates += duplicateIds.length;
  }
}

async function appendWithRetry(options: AuditRecorderOptions, batch: PendingAuditRecord[]): Promise<AuditAppendResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await options.ledger.append(batch);
    } catch (error) {
      if (attempt >= FLUSH_MAX_ATTEMPTS || !isRetryableLedgerError(error)) throw error;
      const delayMs = Math.min(FLUSH_BACKOFF_MAX_MS, FLUSH_BACKOFF_BASE_MS * 2 ** (attempt - 1));
      options.logger?.warn({ err: describeError(error), attempt, delayMs, records: batch.length }, "audit ledger append failed, retrying");
      await sleep(delayMs);
    }
  }
}
