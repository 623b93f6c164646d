import { z } from "zod";

/** Repository the ledger lives in unless the operator names another. */
export const DEFAULT_AUDIT_REPOSITORY = "paddock-audit";
/** Folder of the record files, one JSONL file per UTC day: `records/YYYY/MM/DD.jsonl`. */
export const RECORDS_DIRECTORY = "records";
/** Folder of the signed checkpoints, one JSON file per checkpoint. */
export const CHECKPOINTS_DIRECTORY = "checkpoints";
/** File naming the chain's last record and the file it is in. */
export const HEAD_PATH = "head.json";
/** Digits of the zero-padded sequence in checkpoint file names, so names sort in chain order. */
export const CHECKPOINT_SEQUENCE_DIGITS = 12;

const RECORD_FILE_PATTERN = /^records\/\d{4}\/\d{2}\/\d{2}\.jsonl$/;

/**
 * The chain head as `head.json` stores it. It lets an appender find the last record without
 * listing folders. It is not signed, so `paddock audit verify` only compares it with the records.
 */
export const ledgerHeadSchema = z.strictObject({
  schemaVersion: z.literal(1),
  sequence: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  path: z.string().regex(RECORD_FILE_PATTERN),
});

export type LedgerHead = z.output<typeof ledgerHeadSchema>;

/** Returns the record file of a UTC day, such as `records/2026/12/04.jsonl`. */
export function describeRecordFilePath(time: Date): string {
  const [year, month, day] = time.toISOString().slice(0, 10).split("-");
  return `${RECORDS_DIRECTORY}/${year}/${month}/${day}.jsonl`;
}

/** Returns the checkpoint file of a sequence, such as `checkpoints/000000000100.json`. */
export function describeCheckpointPath(sequence: number): string {
  return `${CHECKPOINTS_DIRECTORY}/${String(sequence).padStart(CHECKPOINT_SEQUENCE_DIGITS, "0")}.json`;
}

/** Tells whether a repository path is a record file. */
export function isRecordFilePath(path: string): boolean {
  return RECORD_FILE_PATTERN.test(path);
}
