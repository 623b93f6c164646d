import type { PendingAuditRecord } from "./audit-record-schema.ts";

/**
 * Durable storage for records that were made but are not yet in the ledger. The file spool
 * serves the local provider; a store backed by Kubernetes objects can implement the same
 * three calls. Records are stored before the ledger numbers them, so a spool never assigns
 * sequence, prev or hash.
 */
export interface AuditSpool {
  /** Stores records; resolves only once they would survive a crash of the process or machine. */
  append(records: readonly PendingAuditRecord[]): Promise<void>;
  /** Returns up to `limit` stored records, oldest first. */
  list(options: { limit: number }): Promise<PendingAuditRecord[]>;
  /** Removes records by id, durably; ids it does not hold are ignored. */
  remove(ids: readonly string[]): Promise<void>;
}
