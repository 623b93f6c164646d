import { describeError } from "../errors.ts";
import type { AuditAppendResult, AuditLedger } from "./audit-ledger.ts";
import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";
import type { AuditSpool } from "./audit-spool.ts";
import { buildPendingAuditRecord, type AuditRecordInput } from "./build-audit-record.ts";
import { isRetryableLedgerError, readRetryAfterMs } from "./github-request.ts";

/** Records sent to the ledger in one commit. */
export const FLUSH_BATCH_SIZE = 1_000;
/** Attempts per batch before a flush gives up and leaves the batch in the spool. */
export const FLUSH_MAX_ATTEMPTS = 5;
/** First wait between attempts; it doubles after each failure. */
export const FLUSH_BACKOFF_BASE_MS = 1_000;
/** Maximum wait between attempts, unless GitHub's `retry-after` requests a longer one. */
export const FLUSH_BACKOFF_MAX_MS = 30_000;
/** Longest `retry-after` or rate-limit reset a flush waits for before it gives up on a batch. */
export const FLUSH_RETRY_AFTER_MAX_MS = 60 * 60 * 1000;
/**
 * Minimum time between two ledger appends, in milliseconds. An append makes three
 * content-creating requests (blob, tree, commit). GitHub's page "Rate limits for the REST API"
 * allows about 80 of those a minute and 500 an hour, so one append every 30 seconds (360
 * requests an hour) stays under both with room for conflict retries.
 */
export const MIN_APPEND_INTERVAL_MS = 30_000;

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
   * starts when that one ends, so it also sends records made in between. Appends are spaced
   * by the append interval, so records made while a flush waits go out in the same commit.
   * `immediate` skips that wait, for start-up and shutdown.
   */
  flush(options?: { immediate?: boolean }): Promise<AuditFlushResult>;
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
  /** Minimum time between two appends; defaults to `MIN_APPEND_INTERVAL_MS`. */
  minAppendIntervalMs?: number;
}

/** Pacing state shared by the flushes of one recorder: the time of the last append and the current wait. */
interface FlushPacing {
  lastAppendAt: number;
  immediate: boolean;
  /** Ends the current pacing wait at once; set while one runs. */
  wake?: () => void;
}

/** Creates a recorder over a spool and a ledger. */
export function createAuditRecorder(options: AuditRecorderOptions): AuditRecorder {
  const now = options.now ?? (() => new Date());
  let running: Promise<AuditFlushResult> | undefined;
  let queued: Promise<AuditFlushResult> | undefined;
  const pacing: FlushPacing = { lastAppendAt: Number.NEGATIVE_INFINITY, immediate: false };

  const request = (): Promise<AuditFlushResult> => {
    if (!running) {
      running = flushSpool(options, pacing).finally(() => (running = undefined));
      return running;
    }
    // One waiting flush serves every caller that arrives while a flush runs.
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return request();
      });
    return queued;
  };

  const flush = (flushOptions: { immediate?: boolean } = {}): Promise<AuditFlushResult> => {
    if (!flushOptions.immediate) return request();
    pacing.immediate = true;
    pacing.wake?.();
    const result = request();
    // Flushes requested later wait again, once this one and any it queued behind have ended.
    void result.catch(() => undefined).then(() => (pacing.immediate = false));
    return result;
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

async function flushSpool(options: AuditRecorderOptions, pacing: FlushPacing): Promise<AuditFlushResult> {
  const result: AuditFlushResult = { appended: [], duplicates: 0 };
  const limit = options.batchSize ?? FLUSH_BATCH_SIZE;
  for (;;) {
    if ((await options.spool.list({ limit: 1 })).length === 0) return result;
    // Wait for the append interval first, so the records made meanwhile join this batch.
    await waitForAppendSlot(options, pacing);
    const batch = await options.spool.list({ limit });

    const { records, duplicateIds } = await appendWithRetry(options, batch, pacing);
    await options.spool.remove(batch.map((record) => record.id));
    result.appended.push(...records);
    result.duplicates += duplicateIds.length;
  }
}

async function waitForAppendSlot(options: AuditRecorderOptions, pacing: FlushPacing): Promise<void> {
  const now = (options.now ?? (() => new Date()))().getTime();
  const waitMs = pacing.lastAppendAt + (options.minAppendIntervalMs ?? MIN_APPEND_INTERVAL_MS) - now;
  if (waitMs <= 0 || pacing.immediate) return;
  if (options.sleep) {
    await options.sleep(waitMs);
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs);
    pacing.wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  pacing.wake = undefined;
}

async function appendWithRetry(options: AuditRecorderOptions, batch: PendingAuditRecord[], pacing: FlushPacing): Promise<AuditAppendResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt += 1) {
    try {
      pacing.lastAppendAt = now().getTime();
      return await options.ledger.append(batch);
    } catch (error) {
      if (attempt >= FLUSH_MAX_ATTEMPTS || !isRetryableLedgerError(error)) throw error;
      // A rate limit names its own wait in `retry-after` or the reset time; waiting less only gets rejected again.
      const backoffMs = Math.min(FLUSH_BACKOFF_MAX_MS, FLUSH_BACKOFF_BASE_MS * 2 ** (attempt - 1));
      const retryAfterMs = readRetryAfterMs(error, now().getTime());
      if (retryAfterMs !== undefined && retryAfterMs > FLUSH_RETRY_AFTER_MAX_MS) throw error;
      const delayMs = Math.max(backoffMs, retryAfterMs ?? 0);
      options.logger?.warn({ err: describeError(error), attempt, delayMs, records: batch.length }, "audit ledger append failed, retrying");
      await sleep(delayMs);
    }
  }
}
