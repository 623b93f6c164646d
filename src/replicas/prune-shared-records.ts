import type { ApprovalRecord } from "../policy/records/approval-store.ts";
import type { SpendEntry } from "../policy/records/spend-ledger.ts";

/**
 * Age past which an approval of another commit than the one being approved is dropped, in
 * milliseconds. Approvals read the head commit from GitHub before they are recorded, so an
 * approval of a commit that a push already superseded can reach the store after the approval of
 * the newer commit. The grace keeps that newer approval when the stale one is recorded.
 */
export const SUPERSEDED_APPROVAL_GRACE_MS = 10 * 60 * 1000;

/**
 * Returns the approvals to keep before `approval` is appended: those of the same head commit,
 * and those of other commits recorded less than SUPERSEDED_APPROVAL_GRACE_MS before it. A run
 * looks up only the approval of its own head commit, and a push supersedes the older head's
 * runs, so an older commit's approval can no longer matter. Pure.
 */
export function dropSupersededApprovals(records: ApprovalRecord[], approval: ApprovalRecord): ApprovalRecord[] {
  const approvedAt = Date.parse(approval.at);
  return records.filter((record) => {
    if (record.headSha === approval.headSha) return true;
    const age = approvedAt - Date.parse(record.at);
    // An unreadable time keeps the record, because its age is unknown.
    return !(age >= SUPERSEDED_APPROVAL_GRACE_MS);
  });
}

/**
 * Returns the spend entries to keep before one more is appended: all of them while fewer than
 * `maxEntries` are stored, else one entry per day, repository, actor class and currency with their
 * sum. Budgets read only those sums, so folding changes no budget. The per-environment detail
 * stays in the audit ledger. Pure.
 */
export function foldSpendEntries(entries: SpendEntry[], maxEntries: number): SpendEntry[] {
  if (entries.length < maxEntries) return entries;
  const folded = new Map<string, SpendEntry>();
  for (const entry of entries) {
    const group = JSON.stringify([entry.day, entry.repositoryId, entry.actorClass, entry.currency]);
    const sum = folded.get(group);
    if (!sum) {
      folded.set(group, { ...entry, environment: "", headSha: "", folded: entry.folded ?? 1 });
      continue;
    }
    sum.nanos = String(BigInt(sum.nanos) + BigInt(entry.nanos));
    sum.folded = (sum.folded ?? 1) + (entry.folded ?? 1);
    if (entry.at > sum.at) sum.at = entry.at;
  }
  return [...folded.values()];
}
