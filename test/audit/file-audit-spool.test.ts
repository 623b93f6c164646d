import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { openFileAuditSpool, SPOOL_JOURNAL_NAME, SPOOL_MEMORY_WINDOW } from "../../src/audit/file-audit-spool.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";

function record(index: number) {
  return buildPendingAuditRecord({ input: makeRecordInput(), now: FIXTURE_TIME, id: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}` });
}

describe("openFileAuditSpool", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "paddock-spool-"));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("lists appended records oldest first", async () => {
    const spool = await openFileAuditSpool({ directory });
    await spool.append([record(1), record(2)]);
    await spool.append([record(3)]);

    expect((await spool.list({ limit: 10 })).map((item) => item.id.slice(-1))).toEqual(["1", "2", "3"]);
    expect((await spool.list({ limit: 2 })).length).toBe(2);
  });

  it("keeps records across a reopen", async () => {
    const first = await openFileAuditSpool({ directory });
    await first.append([record(1), record(2)]);
    await first.remove([record(1).id]);

    const second = await openFileAuditSpool({ directory });

    expect(await second.list({ limit: 10 })).toEqual([record(2)]);
  });

  it("drops a line cut short by a crash", async () => {
    const spool = await openFileAuditSpool({ directory });
    await spool.append([record(1)]);
    appendFileSync(join(directory, SPOOL_JOURNAL_NAME), '{"append":{"schemaVersion":1,"id":"0000');

    const reopened = await openFileAuditSpool({ directory });
    await reopened.append([record(2)]);

    expect((await reopened.list({ limit: 10 })).map((item) => item.id)).toEqual([record(1).id, record(2).id]);
    const again = await openFileAuditSpool({ directory });
    expect(await again.list({ limit: 10 })).toHaveLength(2);
  });

  it("empties the journal once every record is removed", async () => {
    const spool = await openFileAuditSpool({ directory });
    await spool.append([record(1), record(2)]);
    await spool.remove([record(1).id, record(2).id]);

    expect(readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8")).toBe("");
  });

  it("ignores ids it does not hold", async () => {
    const spool = await openFileAuditSpool({ directory });
    await spool.append([record(1)]);
    await spool.remove(["00000000-0000-4000-8000-999999999999"]);

    expect(readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8").split("\n").length).toBe(2);
  });

  it("rejects a corrupt line in the middle", async () => {
    writeFileSync(join(directory, SPOOL_JOURNAL_NAME), 'not json\n{"remove":[]}\n');

    await expect(openFileAuditSpool({ directory })).rejects.toThrow(`the audit spool line ${join(directory, SPOOL_JOURNAL_NAME)}:1 is not a valid entry`);
  });

  it("rejects a record that fails the schema", async () => {
    writeFileSync(join(directory, SPOOL_JOURNAL_NAME), '{"append":{"id":"x"}}\n');

    await expect(openFileAuditSpool({ directory })).rejects.toThrow("is not a valid entry");
  });

  it("serializes concurrent appends and removals", async () => {
    const spool = await openFileAuditSpool({ directory });
    await Promise.all(Array.from({ length: 20 }, (_, index) => spool.append([record(index + 1)])));
    await Promise.all(Array.from({ length: 10 }, (_, index) => spool.remove([record(index * 2 + 1).id])));

    const reopened = await openFileAuditSpool({ directory });

    expect((await reopened.list({ limit: 100 })).map((item) => Number(item.id.slice(-12)))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
  });
  it("keeps memory within the window", async () => {
    const spool = await openFileAuditSpool({ directory, memoryWindow: 10 });
    for (let index = 1; index <= 35; index += 1) await spool.append([record(index)]);

    expect(spool.stats()).toEqual({ held: 35, inMemory: 10, removedInJournal: 0 });
    expect((await spool.list({ limit: 100 })).map((item) => Number(item.id.slice(-12)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("reads records past the window in order", async () => {
    const spool = await openFileAuditSpool({ directory, memoryWindow: 10 });
    await spool.append(Array.from({ length: 25 }, (_, index) => record(index + 1)));
    const flushed: number[] = [];

    for (let batch = await spool.list({ limit: 4 }); batch.length > 0; batch = await spool.list({ limit: 4 })) {
      flushed.push(...batch.map((item) => Number(item.id.slice(-12))));
      await spool.remove(batch.map((item) => item.id));
      expect(spool.stats().inMemory).toBeLessThanOrEqual(10);
    }

    expect(flushed).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
    expect(readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8")).toBe("");
  });

  it("reopens with only the window in memory", async () => {
    const first = await openFileAuditSpool({ directory, memoryWindow: 10 });
    await first.append(Array.from({ length: 30 }, (_, index) => record(index + 1)));
    await first.remove([record(2).id, record(15).id]);

    const reopened = await openFileAuditSpool({ directory, memoryWindow: 10 });

    expect(reopened.stats()).toEqual({ held: 28, inMemory: 10, removedInJournal: 2 });
    expect((await reopened.list({ limit: 100 })).map((item) => Number(item.id.slice(-12)))).toEqual([1, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("removes a record past the window", async () => {
    const spool = await openFileAuditSpool({ directory, memoryWindow: 5 });
    await spool.append(Array.from({ length: 12 }, (_, index) => record(index + 1)));

    await spool.remove([record(9).id, "00000000-0000-4000-8000-999999999999"]);

    expect(spool.stats()).toEqual({ held: 11, inMemory: 5, removedInJournal: 1 });
    expect(readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8").trimEnd().split("\n").at(-1)).toBe(`{"remove":["${record(9).id}"]}`);
    const reopened = await openFileAuditSpool({ directory, memoryWindow: 20 });
    expect((await reopened.list({ limit: 100 })).map((item) => Number(item.id.slice(-12)))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12]);
  });

  it("rewrites the journal after enough removals", async () => {
    const spool = await openFileAuditSpool({ directory, memoryWindow: 4, compactAfterRemoved: 5 });
    await spool.append(Array.from({ length: 20 }, (_, index) => record(index + 1)));
    for (let index = 1; index <= 6; index += 1) await spool.remove([record(index).id]);

    const lines = readFileSync(join(directory, SPOOL_JOURNAL_NAME), "utf8").trimEnd().split("\n");
    expect(spool.stats()).toEqual({ held: 14, inMemory: 0, removedInJournal: 0 });
    expect(lines.map((line) => Number(JSON.parse(line).append.id.slice(-12)))).toEqual(Array.from({ length: 14 }, (_, index) => index + 7));
    expect((await spool.list({ limit: 6 })).map((item) => Number(item.id.slice(-12)))).toEqual([7, 8, 9, 10]);
  });

  it("defaults to a window of 1,000 records", async () => {
    const spool = await openFileAuditSpool({ directory });
    await spool.append(Array.from({ length: SPOOL_MEMORY_WINDOW + 5 }, (_, index) => record(index + 1)));

    expect(spool.stats()).toEqual({ held: SPOOL_MEMORY_WINDOW + 5, inMemory: SPOOL_MEMORY_WINDOW, removedInJournal: 0 });
  });
});
