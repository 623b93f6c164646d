import { hashAuditRecord } from "./audit-chain.ts";
import type { AuditProblem, LedgerFile } from "./audit-problem.ts";
import { auditRecordSchema, GENESIS_HASH } from "./audit-record-schema.ts";
import { describeDuplicateJsonKey, findDuplicateJsonKey, type DuplicateJsonKey } from "./find-duplicate-json-key.ts";

/** One line of a record file, parsed as far as it goes. */
interface RecordLine {
  path: string;
  where: string;
  json: unknown;
  /** Set when the line is not JSON; `cutShort` when it is the unterminated end of a file. */
  unreadable?: { cutShort: boolean };
  /** Set when an object in the line repeats a member name, so readers may disagree on its content. */
  duplicateKey?: DuplicateJsonKey;
}

/** The intact start of a chain, and the first problem after it. */
export interface ChainWalk {
  /** Hash of each intact record by sequence, from 1 without gaps. */
  hashes: Map<number, string>;
  /** Record file of the last intact record; null when no record is intact. */
  lastRecordPath: string | null;
  problem: AuditProblem | null;
}

/**
 * Walks record files in path order and checks each line: valid JSON without duplicate member
 * names, the record schema, its
 * hash over its canonical JSON, `prev` equal to the hash before, and sequence numbers from 1
 * without gaps. Stops at the first problem: "altered" for edited or replaced lines,
 * "missing" for a gap or a file cut short, "reordered" for a sequence out of place.
 */
export function walkAuditChain(files: readonly LedgerFile[]): ChainWalk {
  const lines = files.flatMap(readLines);
  const hashes = new Map<number, string>();
  let prev = GENESIS_HASH;
  let lastRecordPath: string | null = null;

  for (const [index, line] of lines.entries()) {
    const expected = hashes.size + 1;
    const problem = checkLine({ line, expected, prev, findLater: (sequence) => findSequence(lines, index + 1, sequence) });
    if (problem) return { hashes, lastRecordPath, problem };

    const hash = (line.json as { hash: string }).hash;
    hashes.set(expected, hash);
    prev = hash;
    lastRecordPath = line.path;
  }
  return { hashes, lastRecordPath, problem: null };
}

type FindLater = (sequence: number) => RecordLine | undefined;

function checkLine(options: { line: RecordLine; expected: number; prev: string; findLater: FindLater }): AuditProblem | null {
  const { line, expected, prev, findLater } = options;
  if (line.unreadable?.cutShort) return { sequence: expected, kind: "missing", message: `${line.where} ends in the middle of a record: the file was cut short` };
  if (line.unreadable) return { sequence: expected, kind: "altered", message: `${line.where} is not valid JSON` };
  if (line.duplicateKey) {
    const duplicate = describeDuplicateJsonKey(line.duplicateKey);
    return { sequence: expected, kind: "altered", message: `${line.where}: ${duplicate}, so a reader that keeps the first value sees content the hash does not cover` };
  }

  const sequence = (line.json as { sequence?: unknown } | null)?.sequence;
  if (typeof sequence === "number" && sequence !== expected) return describeMisplaced({ line, sequence, expected, findLater });

  const parsed = auditRecordSchema.safeParse(line.json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join(".") || "(record)");
    return { sequence: expected, kind: "altered", message: `${line.where} does not match the record schema at ${[...new Set(fields)].join(", ")}` };
  }
  if (hashAuditRecord(parsed.data) !== parsed.data.hash) {
    return { sequence: expected, kind: "altered", message: `${line.where}: the content does not match its hash, so a field was edited` };
  }
  if (parsed.data.prev !== prev) {
    const before = expected === 1 ? "the genesis value (64 zeros)" : `the hash of sequence ${expected - 1}`;
    return { sequence: expected, kind: "altered", message: `${line.where}: prev is not ${before}, so the record was replaced` };
  }
  return null;
}

function describeMisplaced(options: { line: RecordLine; sequence: number; expected: number; findLater: FindLater }): AuditProblem {
  const { line, sequence, expected, findLater } = options;
  const elsewhere = findLater(expected);
  if (sequence < expected) {
    return { sequence: expected, kind: "reordered", message: `${line.where} contains sequence ${sequence} again where ${expected} belongs` };
  }
  if (elsewhere) {
    return { sequence: expected, kind: "reordered", message: `${line.where} contains sequence ${sequence} where ${expected} belongs, and ${expected} comes later at ${elsewhere.where}` };
  }
  const gap = sequence - 1 === expected ? `sequence ${expected} is` : `sequences ${expected} to ${sequence - 1} are`;
  return { sequence: expected, kind: "missing", message: `${gap} missing before ${line.where}` };
}

function findSequence(lines: readonly RecordLine[], start: number, sequence: number): RecordLine | undefined {
  for (let index = start; index < lines.length; index += 1) {
    if ((lines[index]!.json as { sequence?: unknown } | null)?.sequence === sequence) return lines[index];
  }
  return undefined;
}

/**
 * Splits a record file into lines. CRLF endings are accepted, because git with
 * `core.autocrlf=true` writes them into a checkout, and a record's hash covers its canonical
 * JSON, not the bytes of its line.
 */
function readLines(file: LedgerFile): RecordLine[] {
  const parts = file.text.split(/\r?\n/);
  const terminated = parts[parts.length - 1] === "";
  if (terminated) parts.pop();

  return parts.map((text, index) => {
    const where = `${file.path}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { path: file.path, where, json: null, unreadable: { cutShort: !terminated && index === parts.length - 1 } };
    }
    const duplicateKey = findDuplicateJsonKey(text);
    return duplicateKey === null ? { path: file.path, where, json } : { path: file.path, where, json, duplicateKey };
  });
}
