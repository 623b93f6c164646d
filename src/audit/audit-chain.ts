import { hashCanonicalJson } from "./canonical-json.ts";
import { GENESIS_HASH, type AuditRecord, type PendingAuditRecord } from "./audit-record-schema.ts";

/** The last record of a chain: where the next record attaches. */
export interface ChainHead {
  sequence: number;
  hash: string;
}

/** Computes a record's hash: SHA-256 over its RFC 8785 canonical JSON without the `hash` field. */
export function hashAuditRecord(record: Omit<AuditRecord, "hash"> | AuditRecord): string {
  const { hash: _ignored, ...withoutHash } = record as AuditRecord;
  return hashCanonicalJson(withoutHash);
}

/**
 * Numbers pending records after `head` (null for an empty chain) and links each to the one
 * before through `prev` and `hash`. Pure: the same inputs always give the same records.
 */
export function chainAuditRecords(options: { head: ChainHead | null; pending: readonly PendingAuditRecord[] }): AuditRecord[] {
  let sequence = options.head?.sequence ?? 0;
  let prev = options.head?.hash ?? GENESIS_HASH;
  const chained: AuditRecord[] = [];

  for (const record of options.pending) {
    sequence += 1;
    const unhashed = { ...record, sequence, prev };
    const hash = hashAuditRecord(unhashed);
    chained.push({ ...unhashed, hash });
    prev = hash;
  }
  return chained;
}
