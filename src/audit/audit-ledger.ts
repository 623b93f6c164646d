import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";

/** What one append did. */
export interface AuditAppendResult {
  /** The records added to the chain, numbered and hashed. */
  records: AuditRecord[];
  /** Ids that were already in the ledger and were not added again. */
  duplicateIds: string[];
}

/** The store of the chain. Appending the same record id twice adds it once. */
export interface AuditLedger {
  /** Numbers, chains and stores the records in one write; resolves once they are stored. */
  append(pending: readonly PendingAuditRecord[]): Promise<AuditAppendResult>;
}
