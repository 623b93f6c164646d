import type { Logger } from "pino";
import type { AuditLedger } from "../audit/audit-ledger.ts";
import type { PendingAuditRecord } from "../audit/audit-record-schema.ts";
import { createAuditRecorder, type AuditRecorder } from "../audit/audit-recorder.ts";
import type { AuditSpool } from "../audit/audit-spool.ts";
import { buildPendingAuditRecord, type AuditRecordInput } from "../audit/build-audit-record.ts";

/** The app's audit trail: records are durable in the spool when `record` resolves. */
export interface AuditTrail {
  /** Spools one record; resolves undefined and logs when the record could not be stored. */
  record(input: AuditRecordInput): Promise<PendingAuditRecord | undefined>;
  /**
   * Sends spooled records to the ledger, at most one commit per append interval unless
   * `immediate`; logs and keeps them spooled when that fails.
   */
  flush(options?: { immediate?: boolean }): Promise<void>;
}

/**
 * Creates the audit trail over a spool and, when one is configured, the org audit ledger.
 * Without a ledger the records stay in the spool, and the first flush says so in the log.
 */
export function createAuditTrail(options: { spool: AuditSpool; ledger?: AuditLedger; logger: Logger; minAppendIntervalMs?: number }): AuditTrail {
  const { spool, ledger, logger } = options;
  const pacing = options.minAppendIntervalMs === undefined ? {} : { minAppendIntervalMs: options.minAppendIntervalMs };
  const recorder: AuditRecorder | undefined = ledger ? createAuditRecorder({ spool, ledger, logger, ...pacing }) : undefined;
  let warnedWithoutLedger = false;

  return {
    async record(input) {
      try {
        if (recorder) return await recorder.record(input);
        const record = buildPendingAuditRecord({ input, now: new Date() });
        await spool.append([record]);
        return record;
      } catch (error) {
        logger.error({ err: error, action: input.action }, "audit record could not be stored");
        return undefined;
      }
    },

    async flush(flushOptions) {
      if (!recorder) {
        if (!warnedWithoutLedger) logger.warn("no audit ledger is configured, so audit records stay in the spool");
        warnedWithoutLedger = true;
        return;
      }
      try {
        const result = await recorder.flush(flushOptions);
        if (result.appended.length > 0) logger.info({ appended: result.appended.length, duplicates: result.duplicates }, "audit records flushed");
      } catch (error) {
        logger.error({ err: error }, "audit flush failed; the records stay in the spool for the next flush");
      }
    },
  };
}
