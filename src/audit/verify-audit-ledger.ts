import type { KeyObject } from "node:crypto";
import { checkAuditCheckpoints } from "./check-audit-checkpoints.ts";
import { pickFirstProblem, type AuditProblem, type LedgerFile } from "./audit-problem.ts";
import { describeDuplicateJsonKey, findDuplicateJsonKey } from "./find-duplicate-json-key.ts";
import { HEAD_PATH, ledgerHeadSchema } from "./ledger-layout.ts";
import { walkAuditChain, type ChainWalk } from "./walk-audit-chain.ts";

/** The outcome of checking a ledger: its first problem, or null when the chain holds. */
export interface AuditVerification {
  problem: AuditProblem | null;
  /** Records from sequence 1 that passed every check. */
  intactRecords: number;
  checkpoints: number;
  /** Checkpoint signatures checked with the public key: 0 without a key or without checkpoints. */
  signaturesChecked: number;
  /**
   * Sequence of the last intact record a checkpoint signs, or 0. Records after it can be edited
   * or removed, with `head.json` rewritten, without verification noticing.
   */
  signedThrough: number;
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
  const checked = checkAuditCheckpoints({ files: checkpointFiles, hashes: walk.hashes, chainComplete, ...(publicKey ? { publicKey } : {}) });
  const headProblem = chainComplete ? checkHead(headFile, walk) : null;

  return {
    problem: pickFirstProblem([walk.problem, ...checked.problems, headProblem]),
    intactRecords: walk.hashes.size,
    checkpoints: checkpointFiles.length,
    signaturesChecked: checked.signaturesChecked,
    signedThrough: checked.signedThrough,
  };
}

/**
 * Compares `head.json` with the last record. The appender rewrites it in every commit, so a
 * ledger with records and no head lost it, and with it the only unsigned record of where the
 * chain ends.
 */
function checkHead(file: LedgerFile | null, walk: ChainWalk): AuditProblem | null {
  const last = walk.hashes.size;
  if (file === null) {
    if (last === 0) return null;
    const fix = `Compare with an earlier ${HEAD_PATH} from \`git log -p -- ${HEAD_PATH}\` or another clone`;
    return { sequence: last + 1, kind: "missing", message: `${HEAD_PATH} is missing, so records after sequence ${last} may have been removed with it. ${fix}` };
  }

  let parsed;
  try {
    parsed = ledgerHeadSchema.safeParse(JSON.parse(file.text));
  } catch {
    parsed = undefined;
  }
  if (!parsed?.success) return { sequence: Math.max(last, 1), kind: "altered", message: `${HEAD_PATH} is not a valid chain head` };
  const duplicate = findDuplicateJsonKey(file.text);
  if (duplicate !== null) {
    return { sequence: Math.max(last, 1), kind: "altered", message: `${HEAD_PATH}: ${describeDuplicateJsonKey(duplicate)}, so a reader that keeps the first value sees another chain end` };
  }

  const head = parsed.data;
  if (head.sequence > last) return { sequence: last + 1, kind: "missing", message: `${HEAD_PATH} names sequence ${head.sequence}, but the records end at ${last}` };
  if (head.sequence < last) return { sequence: head.sequence + 1, kind: "altered", message: `${HEAD_PATH} names sequence ${head.sequence}, but the records continue to ${last}` };
  if (walk.hashes.get(last) !== head.hash) return { sequence: last, kind: "altered", message: `${HEAD_PATH} names another hash for sequence ${last}` };
  if (walk.lastRecordPath !== head.path) {
    return { sequence: last, kind: "altered", message: `${HEAD_PATH} names the file ${head.path}, but sequence ${last} is in ${walk.lastRecordPath}` };
  }
  return null;
}
