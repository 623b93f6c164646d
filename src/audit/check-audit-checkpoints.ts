import type { KeyObject } from "node:crypto";
import { auditCheckpointSchema, describeKeyId, verifyCheckpointSignature, type AuditCheckpoint } from "./audit-checkpoint.ts";
import type { AuditProblem, LedgerFile } from "./audit-problem.ts";
import { describeDuplicateJsonKey, findDuplicateJsonKey } from "./find-duplicate-json-key.ts";

/**
 * Checks every checkpoint file against the intact chain: its signature (when a public key is
 * given), that the record it names has the signed hash, and that no checkpoint between the
 * first and the last record is missing. With `chainComplete`, a checkpoint past the last
 * record shows that records were removed from the end. `signaturesChecked` counts the
 * checkpoints whose signature the public key checked, whether or not it verified.
 * `signedThrough` is the highest sequence a checkpoint without problems signs, or 0.
 */
export function checkAuditCheckpoints(options: {
  files: readonly LedgerFile[];
  hashes: ReadonlyMap<number, string>;
  chainComplete: boolean;
  publicKey?: KeyObject;
}): { problems: AuditProblem[]; signaturesChecked: number; signedThrough: number } {
  const { files, hashes, chainComplete, publicKey } = options;
  const expectedKeyId = publicKey ? describeKeyId(publicKey) : undefined;
  const problems: AuditProblem[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  let signaturesChecked = 0;
  let signedThrough = 0;

  for (const file of files) {
    const parsed = parseCheckpoint(file);
    if ("problem" in parsed) {
      problems.push(parsed.problem);
      continue;
    }
    const checkpoint = parsed.checkpoint;
    checkpoints.push(checkpoint);
    const problemsBefore = problems.length;
    const at = (kind: AuditProblem["kind"], message: string) => problems.push({ sequence: checkpoint.sequence, kind, message: `${file.path}: ${message}` });

    if (publicKey) signaturesChecked += 1;
    if (publicKey && (checkpoint.keyId !== expectedKeyId || !verifyCheckpointSignature({ checkpoint, publicKey }))) {
      at("checkpoint", `the signature does not verify with the public key ${expectedKeyId}, so the checkpoint was forged or edited`);
    }
    const recorded = hashes.get(checkpoint.sequence);
    if (recorded !== undefined && recorded !== checkpoint.hash) {
      at("checkpoint", `record ${checkpoint.sequence} does not have the signed hash, so a record up to it was rewritten after signing`);
    }
    if (recorded === undefined && chainComplete) {
      problems.push({ sequence: hashes.size + 1, kind: "missing", message: `${file.path} signs sequence ${checkpoint.sequence}, but the records end at ${hashes.size}` });
    }
    if (recorded !== undefined && problems.length === problemsBefore) signedThrough = Math.max(signedThrough, checkpoint.sequence);
  }
  problems.push(...findMissingCheckpoints({ checkpoints, last: hashes.size }));
  return { problems, signaturesChecked, signedThrough };
}

function parseCheckpoint(file: LedgerFile): { checkpoint: AuditCheckpoint } | { problem: AuditProblem } {
  const named = Number(/(\d+)\.json$/.exec(file.path)?.[1] ?? Number.NaN);
  const sequence = Number.isSafeInteger(named) && named > 0 ? named : 1;
  let json: unknown;
  try {
    json = JSON.parse(file.text);
  } catch {
    return { problem: { sequence, kind: "checkpoint", message: `${file.path} is not valid JSON` } };
  }
  const duplicate = findDuplicateJsonKey(file.text);
  if (duplicate !== null) return { problem: { sequence, kind: "checkpoint", message: `${file.path}: ${describeDuplicateJsonKey(duplicate)}, so a reader that keeps the first value sees content the signature does not cover` } };

  const parsed = auditCheckpointSchema.safeParse(json);
  if (!parsed.success) return { problem: { sequence, kind: "checkpoint", message: `${file.path} does not match the checkpoint schema` } };
  if (parsed.data.sequence !== named) {
    return { problem: { sequence, kind: "checkpoint", message: `${file.path} signs sequence ${parsed.data.sequence}, not the one its name gives` } };
  }
  return { checkpoint: parsed.data };
}

function findMissingCheckpoints(options: { checkpoints: readonly AuditCheckpoint[]; last: number }): AuditProblem[] {
  const interval = options.checkpoints[0]?.interval;
  if (interval === undefined) return [];

  const present = new Set(options.checkpoints.map((checkpoint) => checkpoint.sequence));
  const problems: AuditProblem[] = [];
  for (let sequence = interval; sequence <= options.last; sequence += interval) {
    if (!present.has(sequence)) problems.push({ sequence, kind: "checkpoint", message: `the checkpoint for sequence ${sequence} is missing (interval ${interval})` });
  }
  return problems;
}
