import { mkdir, open } from "node:fs/promises";
import { join } from "node:path";

import type { PendingAuditRecord } from "./audit-record-schema.ts";
import type { AuditSpool } from "./audit-spool.ts";
import {
  appendDurably,
  compactJournal,
  parseJournalEntry,
  readRemovedIds,
  scanJournal,
  spoolFailed,
  syncDirectory,
  truncateDurably,
} from "./spool-journal.ts";

/** Name of the journal file inside the spool directory. */
export const SPOOL_JOURNAL_NAME = "audit-spool.jsonl";
/** Removed ids in the journal after which it is rewritten with only the records still held. */
export const SPOOL_COMPACT_AFTER_REMOVED = 10_000;
/** Maximum records kept in memory: the oldest held records, which `list` returns. The rest stay on disk. */
export const SPOOL_MEMORY_WINDOW = 1_000;

/** Options of {@link openFileAuditSpool}; the limits default to the constants above. */
export interface FileAuditSpoolOptions {
  directory: string;
  memoryWindow?: number;
  compactAfterRemoved?: number;
}

/** Counts of a file spool, for tests and benchmarks. */
export interface FileAuditSpoolStats {
  /** Records in the spool. */
  held: number;
  /** Records of those kept in memory, at most the memory window. */
  inMemory: number;
  /** Ids the journal names in remove entries since it was last rewritten. */
  removedInJournal: number;
}

/** The file spool, with its counts. */
export interface FileAuditSpool extends AuditSpool {
  stats(): FileAuditSpoolStats;
}

/**
 * Opens an append-only JSONL journal in `directory`: each append and each removal is one
 * write followed by fsync. Memory holds the oldest held records up to the memory window, and
 * the ids removed since the journal was last rewritten; the other records stay on disk and
 * are read again when the window runs low. A line cut short by a crash during a write (whose
 * promise never resolved) is dropped on open.
 * NOTE: one process per directory; two processes sharing a spool directory would corrupt it.
 */
export async function openFileAuditSpool(options: FileAuditSpoolOptions): Promise<FileAuditSpool> {
  const { directory } = options;
  const windowSize = options.memoryWindow ?? SPOOL_MEMORY_WINDOW;
  const compactAfter = options.compactAfterRemoved ?? SPOOL_COMPACT_AFTER_REMOVED;
  await mkdir(directory, { recursive: true });
  const path = join(directory, SPOOL_JOURNAL_NAME);

  // 1. Replay: removed ids first, then the held records in order, cutting off a partial last line.
  const { removed, scan } = await readRemovedIds(path);
  if (scan.completeBytes < scan.totalBytes) await truncateDurably(path, scan.completeBytes);
  await createJournal({ path, directory });
  const state = { removed, window: new Map<string, PendingAuditRecord>(), held: 0, fileBytes: scan.completeBytes, windowEndOffset: 0 };
  await scanJournal({
    path,
    visit: (line) => {
      const entry = parseJournalEntry(line.text, `${path}:${line.number}`);
      if (!("append" in entry) || removed.has(entry.append.id)) return;
      state.held += 1;
      if (state.window.size < windowSize) {
        state.window.set(entry.append.id, entry.append);
        state.windowEndOffset = line.endOffset;
      }
    },
  });

  // The window is always the oldest held records, and `windowEndOffset` is where the journal
  // continues past the last of them, so a refill reads on from there.
  const refill = async (): Promise<void> => {
    if (state.held === state.window.size) return;
    await scanJournal({
      path,
      fromOffset: state.windowEndOffset,
      visit: (line) => {
        if (!line.text.startsWith('{"append"')) return;
        const entry = parseJournalEntry(line.text, `${path}:${line.number}`);
        if (!("append" in entry) || removed.has(entry.append.id) || state.window.has(entry.append.id)) return;
        state.window.set(entry.append.id, entry.append);
        state.windowEndOffset = line.endOffset;
        return state.window.size >= windowSize ? "stop" : undefined;
      },
    });
  };

  // Ids outside the window are looked up on disk, past the window's end.
  const findHeld = async (ids: readonly string[]): Promise<string[]> => {
    const inWindow = ids.filter((id) => state.window.has(id));
    const rest = new Set(ids.filter((id) => !state.window.has(id) && !removed.has(id)));
    if (rest.size === 0 || state.held === state.window.size) return inWindow;
    const onDisk: string[] = [];
    await scanJournal({
      path,
      fromOffset: state.windowEndOffset,
      visit: (line) => {
        if (!line.text.startsWith('{"append"')) return;
        const entry = parseJournalEntry(line.text, `${path}:${line.number}`);
        if ("append" in entry && rest.delete(entry.append.id)) onDisk.push(entry.append.id);
        return rest.size === 0 ? "stop" : undefined;
      },
    });
    return [...inWindow, ...onDisk];
  };

  const compact = async (): Promise<void> => {
    if (state.held === 0) {
      await truncateDurably(path, 0);
      Object.assign(state, { fileBytes: 0, windowEndOffset: 0 });
    } else {
      const rewritten = await compactJournal({ path, directory, removed, prefixRecords: state.window.size });
      Object.assign(state, { fileBytes: rewritten.bytes, windowEndOffset: rewritten.prefixEndOffset });
    }
    removed.clear();
  };

  let queue: Promise<unknown> = Promise.resolve();
  // Operations run one at a time, so a removal never interleaves with an append's write.
  const serialize = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    append: (records) =>
      serialize(async () => {
        if (records.length === 0) return;
        const wasComplete = state.held === state.window.size;
        let lineEnd = state.fileBytes;
        state.fileBytes += await appendDurably(path, records.map((record) => ({ append: record })));
        state.held += records.length;
        // New records join the window only while it contains every record, so it stays the oldest ones.
        for (const record of records) {
          if (!wasComplete || state.window.size >= windowSize) break;
          lineEnd += Buffer.byteLength(JSON.stringify({ append: record }), "utf8") + 1;
          state.window.set(record.id, record);
          state.windowEndOffset = lineEnd;
        }
      }),
    list: ({ limit }) =>
      serialize(async () => {
        if (state.window.size < Math.min(limit, windowSize)) await refill();
        return [...state.window.values()].slice(0, limit);
      }),
    remove: (ids) =>
      serialize(async () => {
        const known = await findHeld([...new Set(ids)]);
        if (known.length === 0) return;
        state.fileBytes += await appendDurably(path, [{ remove: known }]);
        for (const id of known) {
          state.window.delete(id);
          removed.add(id);
        }
        state.held -= known.length;
        if (state.held === 0 || removed.size > compactAfter) await compact();
      }),
    stats: () => ({ held: state.held, inMemory: state.window.size, removedInJournal: removed.size }),
  };
}

// Creating a file is durable only once its directory entry is synced.
async function createJournal(options: { path: string; directory: string }): Promise<void> {
  const handle = await open(options.path, "a").catch((error: unknown) => {
    throw spoolFailed(`creating the audit spool ${options.path} failed`, error);
  });
  await handle.close();
  await syncDirectory(options.directory);
}
