import type { KeyObject } from "node:crypto";
import { checkAuditCheckpoints } from "./check-audit-checkpoints.ts";
import { pickFirstProblem, type AuditProblem, type LedgerFile } from "./audit-problem.ts";
import { HEAD_PATH, ledgerHeadSchema } from "./ledger-layout.ts";
import { walkAuditChain } from "./walk-audit-chain.ts";

/** The outcome of checking a ledger: its first problem, or null when the chain holds. */
export interface AuditVerification {
  problem: AuditProblem | null;
  /** Records from sequence 1 that passed every check. */
  intactRecords: number;
  checkpoints: number;
  /** False when no public key was given, so signatures were not checked. */
  signaturesChecked: boolean;
}

/**
 * Checks a ledger: the chain of record files (sorted by path), the checkpoints, and the head
 * file. Returns the problem with the lowest sequence number. Pure.
 */
export function verifyAuditLedger(options: {
  recordFiles: readonly LedgerFile[];
  checkpointFiles: readonly LedgerFile[];
  headFile: LedgerFile | null;
  publicKey?: KeyObject;
}): AuditVerification {
  const { recordFiles, checkpointFiles, headFile, publicKey } = options;
  const walk = walkAuditChain(recordFiles);
  const chainComplete = walk.problem === null;
  const checkpointProblems = checkAuditCheckpoints({ files: checkpointFiles, hashes: walk.hashes, chainComplete, ...(publicKey ? { publicKey } : {}) });
  const headProblem = chainComplete && headFile ? checkHead(headFile, walk.hashes) : null;

  return {
    problem: pickFirstProblem([walk.problem, ...checkpointProblems, headProblem]),
    intactRecords: walk.hashes.size,
    checkpoints: checkpointFiles.length,
    signaturesChecked: publicKey !== undefined,
  };
}

function checkHead(file: LedgerFile, hashes: ReadonlyMap<number, string>): AuditProblem | null {
  const last = hashes.size;
  let parsed;
  try {
    parsed = ledgerHeadSchema.safeParse(JSON.parse(file.text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) return { sequence: Math.max(last, 1), kind: "altered", message: `${HEAD_PATH} is not a valid chain head` };

  const head = parsed.data;
  if (head.sequence > last) return { sequence: last + 1, kind: "missing", message: `${HEAD_PATH} names sequence ${head.sequence}, but the records end at ${last}` };
  if (head.sequence < last) return { sequence: head.sequence + 1, kind: "altered", message: `${HEAD_PATH} names sequence ${head.sequence}, but the records continue to ${last}` };
  if (hashes.get(last) !== head.hash) return { sequence: last, kind: "altered", message: `${HEAD_PATH} names another hash for sequence ${last}` };
  return null;
}
