import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";

/** Outcome of one append. */
export interface AuditAppendResult {
  /** The records added to the chain, numbered and hashed. */
  records: AuditRecord[];
  /** Ids that were already in the ledger and were not added again. */
  duplicateIds: string[];
}

/** The store of the chain. A record id appended again is skipped when the ledger still finds the first copy. */
export interface AuditLedger {
  /** Numbers, chains and stores the records in one write; resolves once they are stored. */
  append(pending: readonly PendingAuditRecord[]): Promise<AuditAppendResult>;
}
