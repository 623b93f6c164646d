import { mkdir, open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { PaddockError } from "../errors.ts";
import { pendingAuditRecordSchema, type PendingAuditRecord } from "./audit-record-schema.ts";
import type { AuditSpool } from "./audit-spool.ts";

/** Name of the journal file inside the spool directory. */
export const SPOOL_JOURNAL_NAME = "audit-spool.jsonl";
/** Journal lines after which the journal is rewritten with only the records still held. */
export const SPOOL_COMPACT_AFTER_LINES = 10_000;

type JournalEntry = { append: PendingAuditRecord } | { remove: string[] };

/**
 * Opens an append-only JSONL journal in `directory`: each append and each removal is one
 * write followed by fsync, and reopening replays the journal. A line cut short by a crash
 * during a write (whose promise never resolved) is dropped on open.
 * NOTE: one process per directory; two processes sharing a spool directory would corrupt it.
 */
export async function openFileAuditSpool(options: { directory: string }): Promise<AuditSpool> {
  await mkdir(options.directory, { recursive: true });
  const path = join(options.directory, SPOOL_JOURNAL_NAME);
  const { held, lineCount } = await replayJournal(path);
  let lines = lineCount;
  await createJournal({ path, directory: options.directory });
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
        await appendDurably(path, records.map((record) => ({ append: record })));
        for (const record of records) held.set(record.id, record);
        lines += records.length;
      }),
    list: ({ limit }) => serialize(async () => [...held.values()].slice(0, limit)),
    remove: (ids) =>
      serialize(async () => {
        const known = ids.filter((id) => held.has(id));
        if (known.length === 0) return;
        await appendDurably(path, [{ remove: known }]);
        for (const id of known) held.delete(id);
        lines += 1;
        if (held.size === 0 || lines > SPOOL_COMPACT_AFTER_LINES) {
          await rewriteJournal({ path, directory: options.directory, records: [...held.values()] });
          lines = held.size;
        }
      }),
  };
}

async function replayJournal(path: string): Promise<{ held: Map<string, PendingAuditRecord>; lineCount: number }> {
  const held = new Map<string, PendingAuditRecord>();
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw spoolFailed(`reading the audit spool ${path} failed`, error);
  });

  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  if (complete.length < text.length) await truncateDurably(path, Buffer.byteLength(complete, "utf8"));

  const lines = complete.split("\n").slice(0, -1);
  lines.forEach((line, index) => {
    const entry = parseEntry(line, `${path}:${index + 1}`);
    if ("append" in entry) held.set(entry.append.id, entry.append);
    else for (const id of entry.remove) held.delete(id);
  });
  return { held, lineCount: lines.length };
}

function parseEntry(line: string, where: string): JournalEntry {
  try {
    const entry = JSON.parse(line) as { append?: unknown; remove?: unknown };
    if (entry.append !== undefined) return { append: pendingAuditRecordSchema.parse(entry.append) };
    if (Array.isArray(entry.remove) && entry.remove.every((id) => typeof id === "string")) return { remove: entry.remove };
  } catch (error) {
    throw spoolFailed(`the audit spool line ${where} is not a valid entry`, error);
  }
  throw spoolFailed(`the audit spool line ${where} is neither an append nor a remove entry`);
}

async function appendDurably(path: string, entries: JournalEntry[]): Promise<void> {
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
}

async function truncateDurably(path: string, length: number): Promise<void> {
  const handle = await open(path, "r+");
  try {
    await handle.truncate(length);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function rewriteJournal(options: { path: string; directory: string; records: PendingAuditRecord[] }): Promise<void> {
  const temporary = `${options.path}.tmp`;
  const text = options.records.map((record) => `${JSON.stringify({ append: record })}\n`).join("");
  const handle = await open(temporary, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, options.path);
  await syncDirectory(options.directory);
}

// Creating or renaming a file is durable only once its directory entry is synced.
async function createJournal(options: { path: string; directory: string }): Promise<void> {
  const handle = await open(options.path, "a").catch((error: unknown) => {
    throw spoolFailed(`creating the audit spool ${options.path} failed`, error);
  });
  await handle.close();
  await syncDirectory(options.directory);
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, "r");
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

function spoolFailed(message: string, cause?: unknown): PaddockError {
  return new PaddockError("AUDIT_SPOOL_FAILED", message, {
    hint: "check that the spool directory is on a writable local disk; records in it are kept until the ledger has them",
    cause,
  });
}
