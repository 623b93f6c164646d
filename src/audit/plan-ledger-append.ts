import type { KeyObject } from "node:crypto";
import { PaddockError } from "../errors.ts";
import { chainAuditRecords } from "./audit-chain.ts";
import { signCheckpoint } from "./audit-checkpoint.ts";
import type { AuditRecord, PendingAuditRecord } from "./audit-record-schema.ts";
import { canonicalizeJson } from "./canonical-json.ts";
import { describeCheckpointPath, describeRecordFilePath, HEAD_PATH, type LedgerHead } from "./ledger-layout.ts";

/** State of the ledger at one commit: its head, and the record file the next batch goes to. */
export interface LedgerSnapshot {
  head: LedgerHead | null;
  /** `text` is empty and `exists` false when the day's file is not there yet. */
  recordFile: { path: string; text: string; exists: boolean };
}

/** Key and interval for signed checkpoints. */
export interface CheckpointSigner {
  privateKey: KeyObject;
  interval: number;
}

/** The files one append commit writes, and the records it adds. */
export interface LedgerAppendPlan {
  records: AuditRecord[];
  /** Ids of pending records the record file already holds, from an earlier flush that crashed before it could clean up. */
  duplicateIds: string[];
  files: Array<{ path: string; content: string }>;
  head: LedgerHead | null;
}

/**
 * Returns the record file a batch goes to: the UTC day of `now`, or the head's file when that
 * is later. A replica whose clock runs behind thus never appends to an earlier day than
 * the chain already reached, and files sorted by path stay in chain order.
 */
export function chooseRecordFilePath(options: { head: LedgerHead | null; now: Date }): string {
  const today = describeRecordFilePath(options.now);
  const headPath = options.head?.path;
  return headPath !== undefined && headPath > today ? headPath : today;
}

/**
 * Plans one append: drops pending records already in the record file (by id), chains the
 * rest after the head, and writes the new record file, `head.json` and a checkpoint for each
 * new sequence that is a multiple of the interval. Pure apart from the signature. Throws
 * `AUDIT_LEDGER_INCONSISTENT` when the record file does not end at the head.
 * NOTE: duplicates are looked for only in this record file, so a retry that crosses UTC
 * midnight after a crash between commit and spool cleanup can append a record twice.
 */
export function planLedgerAppend(options: {
  snapshot: LedgerSnapshot;
  pending: readonly PendingAuditRecord[];
  now: Date;
  signer?: CheckpointSigner;
}): LedgerAppendPlan {
  const { snapshot, pending, now, signer } = options;
  const stored = readStoredRecords(snapshot);
  const duplicateIds = pending.filter((record) => stored.ids.has(record.id)).map((record) => record.id);
  const fresh = pending.filter((record) => !stored.ids.has(record.id));
  if (fresh.length === 0) return { records: [], duplicateIds, files: [], head: snapshot.head };

  const records = chainAuditRecords({ head: snapshot.head, pending: fresh });
  const last = records[records.length - 1]!;
  const head: LedgerHead = { schemaVersion: 1, sequence: last.sequence, hash: last.hash, path: snapshot.recordFile.path };
  const appended = records.map((record) => `${canonicalizeJson(record)}\n`).join("");

  const files = [
    { path: snapshot.recordFile.path, content: snapshot.recordFile.text + appended },
    { path: HEAD_PATH, content: `${JSON.stringify(head, null, 2)}\n` },
  ];
  for (const record of records) {
    if (!signer || record.sequence % signer.interval !== 0) continue;
    const checkpoint = signCheckpoint({ sequence: record.sequence, hash: record.hash, interval: signer.interval, time: now.toISOString(), privateKey: signer.privateKey });
    files.push({ path: describeCheckpointPath(record.sequence), content: `${JSON.stringify(checkpoint, null, 2)}\n` });
  }
  return { records, duplicateIds, files, head };
}

function readStoredRecords(snapshot: LedgerSnapshot): { ids: Set<string> } {
  const { head, recordFile } = snapshot;
  if (recordFile.text !== "" && !recordFile.text.endsWith("\n")) throw inconsistent(`${recordFile.path} does not end with a newline`);

  const lines = recordFile.text.split("\n").slice(0, -1);
  const stored = lines.map((line, index) => parseStoredLine(line, `${recordFile.path}:${index + 1}`));
  const last = stored[stored.length - 1];

  if (head === null && recordFile.exists) throw inconsistent(`${recordFile.path} exists but ${HEAD_PATH} does not`);
  if (head !== null && head.path === recordFile.path && (last?.sequence !== head.sequence || last.hash !== head.hash)) {
    throw inconsistent(`${HEAD_PATH} names sequence ${head.sequence}, but ${recordFile.path} ends at ${last?.sequence ?? "no record"}`);
  }
  if (head !== null && head.path !== recordFile.path && recordFile.exists) {
    throw inconsistent(`${recordFile.path} exists, but ${HEAD_PATH} names the earlier file ${head.path}`);
  }
  return { ids: new Set(stored.map((record) => record.id)) };
}

function parseStoredLine(line: string, where: string): { id: string; sequence: number; hash: string } {
  try {
    const record = JSON.parse(line) as Partial<AuditRecord>;
    if (typeof record.id === "string" && typeof record.sequence === "number" && typeof record.hash === "string") {
      return { id: record.id, sequence: record.sequence, hash: record.hash };
    }
  } catch {
    // Reported below together with lines that parse but lack the fields.
  }
  throw inconsistent(`${where} is not an audit record`);
}

function inconsistent(problem: string): PaddockError {
  return new PaddockError("AUDIT_LEDGER_INCONSISTENT", `the audit ledger is inconsistent: ${problem}`, {
    hint: "run `paddock audit verify` on a checkout of the audit repository; appends stay paused until it is repaired",
  });
}
