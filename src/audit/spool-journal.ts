import { createReadStream } from "node:fs";
import { open, rename } from "node:fs/promises";

import { PaddockError } from "../errors.ts";
import { pendingAuditRecordSchema, type PendingAuditRecord } from "./audit-record-schema.ts";

/** Bytes a compaction gathers before each write to the new journal. */
const COMPACT_WRITE_BYTES = 256 * 1024;

/** One line of the spool journal. */
export type JournalEntry = { append: PendingAuditRecord } | { remove: string[] };

/** End position of a journal scan. */
export interface JournalScan {
  /** Bytes up to the end of the last complete line read. */
  completeBytes: number;
  /** Bytes in the file, a line cut short by a crash included. */
  totalBytes: number;
}

/** A complete line, its number (from 1) and the byte offset just past its newline. */
export interface JournalLine {
  text: string;
  number: number;
  endOffset: number;
}

/**
 * Reads the journal at `path` line by line from byte `fromOffset`, calling `visit` for each
 * complete line until it returns "stop". Memory holds one read chunk and one line, never the
 * file. A missing file reads as empty.
 */
export async function scanJournal(options: {
  path: string;
  fromOffset?: number;
  visit: (line: JournalLine) => "stop" | void | Promise<"stop" | void>;
}): Promise<JournalScan> {
  const start = options.fromOffset ?? 0;
  let offset = start;
  let number = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let stopped = false;
  try {
    for await (const chunk of createReadStream(options.path, { start, highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
      let from = 0;
      for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, from)) {
        const text = Buffer.concat([...pending, chunk.subarray(from, newline)]).toString("utf8");
        offset += pendingBytes + (newline - from) + 1;
        pending = [];
        pendingBytes = 0;
        from = newline + 1;
        number += 1;
        if ((await options.visit({ text, number, endOffset: offset })) === "stop") {
          stopped = true;
          break;
        }
      }
      if (stopped) break;
      pending.push(chunk.subarray(from));
      pendingBytes += chunk.length - from;
    }
  } catch (error) {
    if (error instanceof PaddockError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { completeBytes: 0, totalBytes: 0 };
    throw spoolFailed(`reading the audit spool ${options.path} failed`, error);
  }
  return { completeBytes: offset, totalBytes: offset + pendingBytes };
}

/** Parses one journal line, naming it in the error when it is not a valid entry. */
export function parseJournalEntry(text: string, where: string): JournalEntry {
  try {
    const entry = JSON.parse(text) as { append?: unknown; remove?: unknown };
    if (entry.append !== undefined) return { append: pendingAuditRecordSchema.parse(entry.append) };
    if (Array.isArray(entry.remove) && entry.remove.every((id) => typeof id === "string")) return { remove: entry.remove };
  } catch (error) {
    throw spoolFailed(`the audit spool line ${where} is not a valid entry`, error);
  }
  throw spoolFailed(`the audit spool line ${where} is neither an append nor a remove entry`);
}

/** Reads the ids of every remove entry, parsing no other line in full. */
export async function readRemovedIds(path: string): Promise<{ removed: Set<string>; scan: JournalScan }> {
  const removed = new Set<string>();
  const scan = await scanJournal({
    path,
    visit: (line) => {
      if (!line.text.startsWith('{"remove"')) return;
      const entry = parseJournalEntry(line.text, `${path}:${line.number}`);
      if ("remove" in entry) for (const id of entry.remove) removed.add(id);
    },
  });
  return { removed, scan };
}

/** Appends entries as one write followed by fsync; returns the bytes written. */
export async function appendDurably(path: string, entries: JournalEntry[]): Promise<number> {
  const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join("");
  const handle = await open(path, "a").catch((error: unknown) => {
    throw spoolFailed(`opening the audit spool ${path} failed`, error);
  });
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } catch (error) {
    throw spoolFailed(`writing the audit spool ${path} failed`, error);
  } finally {
    await handle.close();
  }
  return Buffer.byteLength(text, "utf8");
}

/** Cuts the file to `length` bytes and syncs it. */
export async function truncateDurably(path: string, length: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Rewrites the journal with only the appends whose id is not in `removed`, streaming from the
 * old file to a synced temporary file that then replaces it. Returns the new size and the
 * byte offset just past the first `prefixRecords` records.
 */
export async function compactJournal(options: { path: string; directory: string; removed: ReadonlySet<string>; prefixRecords: number }): Promise<{ bytes: number; prefixEndOffset: number }> {
  const temporary = `${options.path}.tmp`;
  const handle = await open(temporary, "w");
  let bytes = 0;
  let kept = 0;
  let prefixEndOffset = 0;
  let buffered: string[] = [];
  let bufferedBytes = 0;
  const writeBuffered = async (): Promise<void> => {
    await handle.write(buffered.join(""), null, "utf8");
    buffered = [];
    bufferedBytes = 0;
  };
  try {
    await scanJournal({
      path: options.path,
      visit: async (line) => {
        if (!line.text.startsWith('{"append"')) return;
        const entry = parseJournalEntry(line.text, `${options.path}:${line.number}`);
        if (!("append" in entry) || options.removed.has(entry.append.id)) return;
        const lineBytes = Buffer.byteLength(line.text, "utf8") + 1;
        buffered.push(`${line.text}\n`);
        bufferedBytes += lineBytes;
        bytes += lineBytes;
        kept += 1;
        if (kept === options.prefixRecords) prefixEndOffset = bytes;
        if (bufferedBytes >= COMPACT_WRITE_BYTES) await writeBuffered();
      },
    });
    await writeBuffered();
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, options.path);
  await syncDirectory(options.directory);
  return { bytes, prefixEndOffset: kept < options.prefixRecords ? bytes : prefixEndOffset };
}

/** Syncs a directory, because creating or renaming a file is durable only once its entry is synced. */
export async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/** Builds the error of a spool that cannot be read or written. */
export function spoolFailed(message: string, cause?: unknown): PaddockError {
  return new PaddockError("AUDIT_SPOOL_FAILED", message, {
    hint: "check that the spool directory is on a writable local disk; records in it are kept until the ledger has them",
    cause,
  });
}
