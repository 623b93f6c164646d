import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditLedger } from "../../src/audit/audit-ledger.ts";
import { chainAuditRecords } from "../../src/audit/audit-chain.ts";
import type { PendingAuditRecord } from "../../src/audit/audit-record-schema.ts";
import { createAuditRecorder, FLUSH_MAX_ATTEMPTS, MIN_APPEND_INTERVAL_MS } from "../../src/audit/audit-recorder.ts";
import type { AuditSpool } from "../../src/audit/audit-spool.ts";
import { openFileAuditSpool } from "../../src/audit/file-audit-spool.ts";
import { createGitAuditLedger } from "../../src/audit/git-audit-ledger.ts";
import { PaddockError } from "../../src/errors.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createAuditOctokit } from "./support/audit-octokit.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";
import { createFakeGitRepository, type FakeGitRepository } from "./support/fake-git-repository.ts";

const RECORD_FILE = "records/2026/12/04.jsonl";

/** Creates a ledger that keeps batches in memory and fails as scripted. */
function scriptedLedger(failures: PaddockError[] = []) {
  const batches: PendingAuditRecord[][] = [];
  const ledger: AuditLedger = {
    async append(pending) {
      const failure = failures.shift();
      if (failure) throw failure;
      batches.push([...pending]);
      return { records: chainAuditRecords({ head: null, pending }), duplicateIds: [] };
    },
  };
  return { ledger, batches };
}

describe("createAuditRecorder", () => {
  let directory: string;
  let fake: FakeGitHub;
  let repository: FakeGitRepository;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "paddock-recorder-"));
    fake = createFakeGitHub();
    repository = createFakeGitRepository({ fake, owner: "acme", repo: "paddock-audit" });
  });
  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
    rmSync(directory, { recursive: true, force: true });
  });

  const gitLedger = () => createGitAuditLedger({ request: createAuditOctokit().request, owner: "acme", now: () => FIXTURE_TIME });
  const ledgerIds = () => (repository.files().get(RECORD_FILE) ?? "").split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);

  it("loses nothing across a crash before the flush", async () => {
    const before = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger: gitLedger(), now: () => FIXTURE_TIME });
    const made = [await before.record(makeRecordInput()), await before.record(makeRecordInput({ action: "step.started" })), await before.record(makeRecordInput())];

    // The process dies here: nothing but the spool directory survives.
    const spool = await openFileAuditSpool({ directory });
    const after = createAuditRecorder({ spool, ledger: gitLedger() });
    const result = await after.flush();

    expect(result.appended.map((record) => record.id)).toEqual(made.map((record) => record.id));
    expect(ledgerIds()).toEqual(made.map((record) => record.id));
    expect(await spool.list({ limit: 10 })).toEqual([]);
  });

  it("adds nothing twice after a crash between commit and cleanup", async () => {
    const spool = await openFileAuditSpool({ directory });
    const crashing: AuditSpool = { ...spool, remove: async () => Promise.reject(new Error("process killed")) };
    const before = createAuditRecorder({ spool: crashing, ledger: gitLedger() });
    const made = [await before.record(makeRecordInput()), await before.record(makeRecordInput())];
    await expect(before.flush()).rejects.toThrow("process killed");

    const after = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger: gitLedger() });
    const result = await after.flush();

    expect(result).toEqual({ appended: [], duplicates: 2 });
    expect(ledgerIds()).toEqual(made.map((record) => record.id));
  });

  it("stores a record before it resolves", async () => {
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger: scriptedLedger().ledger });
    const made = await recorder.record(makeRecordInput());

    const reopened = await openFileAuditSpool({ directory });

    expect(await reopened.list({ limit: 10 })).toEqual([made]);
  });

  it("sends records in batches, oldest first", async () => {
    const { ledger, batches } = scriptedLedger();
    const sleeps: number[] = [];
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, batchSize: 2, now: () => FIXTURE_TIME, sleep: async (ms) => void sleeps.push(ms) });
    const made = [];
    for (let index = 0; index < 5; index += 1) made.push(await recorder.record(makeRecordInput({ deliveryId: `delivery-${index}` })));

    await recorder.flush();

    expect(batches.map((batch) => batch.map((record) => record.deliveryId))).toEqual([["delivery-0", "delivery-1"], ["delivery-2", "delivery-3"], ["delivery-4"]]);
    expect(sleeps).toEqual([MIN_APPEND_INTERVAL_MS, MIN_APPEND_INTERVAL_MS]);
  });

  it("waits the append interval since the last append", async () => {
    const { ledger, batches } = scriptedLedger();
    let now = FIXTURE_TIME.getTime();
    const sleeps: number[] = [];
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, now: () => new Date(now), sleep: async (ms) => void sleeps.push(ms) });
    await recorder.record(makeRecordInput({ deliveryId: "first" }));
    await recorder.flush();
    now += 10_000;
    await recorder.record(makeRecordInput({ deliveryId: "second" }));

    await recorder.flush();

    expect(sleeps).toEqual([MIN_APPEND_INTERVAL_MS - 10_000]);
    expect(batches.map((batch) => batch.map((record) => record.deliveryId))).toEqual([["first"], ["second"]]);
  });

  it("sends every record made during the wait in one append", async () => {
    const { ledger, batches } = scriptedLedger();
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, minAppendIntervalMs: 200 });
    await recorder.record(makeRecordInput({ deliveryId: "first" }));
    await recorder.flush();

    const flushes = [];
    for (let index = 0; index < 5; index += 1) {
      await recorder.record(makeRecordInput({ deliveryId: `later-${index}` }));
      flushes.push(recorder.flush());
    }
    await Promise.all(flushes);

    expect(batches.map((batch) => batch.length)).toEqual([1, 5]);
  });

  it("skips the wait for an immediate flush", async () => {
    const { ledger, batches } = scriptedLedger();
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, minAppendIntervalMs: 60_000 });
    await recorder.record(makeRecordInput({ deliveryId: "first" }));
    await recorder.flush();
    await recorder.record(makeRecordInput({ deliveryId: "second" }));
    const paced = recorder.flush();

    const started = performance.now();
    await recorder.flush({ immediate: true });
    await paced;

    expect(performance.now() - started).toBeLessThan(5_000);
    expect(batches.flat().map((record) => record.deliveryId)).toEqual(["first", "second"]);
  });

  it("waits as long as retry-after asks", async () => {
    const limited = Object.assign(new Error("You have exceeded a secondary rate limit"), { status: 403, response: { headers: { "retry-after": "42" } } });
    const failed = new PaddockError("AUDIT_LEDGER_FAILED", "403 on POST /repos/{owner}/{repo}/git/blobs", { cause: limited });
    const { ledger, batches } = scriptedLedger([failed]);
    const sleeps: number[] = [];
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, sleep: async (ms) => void sleeps.push(ms) });
    await recorder.record(makeRecordInput());

    await recorder.flush();

    expect(sleeps).toEqual([42_000]);
    expect(batches.length).toBe(1);
  });

  it("waits until the primary rate limit resets", async () => {
    const resetAt = FIXTURE_TIME.getTime() / 1000 + 90;
    const limited = Object.assign(new Error("API rate limit exceeded"), { status: 403, response: { headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(resetAt) } } });
    const failed = new PaddockError("AUDIT_LEDGER_FAILED", "403", { cause: limited });
    const { ledger } = scriptedLedger([failed]);
    const sleeps: number[] = [];
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, now: () => FIXTURE_TIME, sleep: async (ms) => void sleeps.push(ms) });
    await recorder.record(makeRecordInput());

    await recorder.flush();

    expect(sleeps).toEqual([90_000]);
  });

  it("retries a failed append with backoff", async () => {
    const failed = new PaddockError("AUDIT_LEDGER_FAILED", "502");
    const { ledger, batches } = scriptedLedger([failed, failed]);
    const sleeps: number[] = [];
    const warnings: Array<Record<string, unknown>> = [];
    const recorder = createAuditRecorder({
      spool: await openFileAuditSpool({ directory }),
      ledger,
      sleep: async (ms) => void sleeps.push(ms),
      logger: { warn: (fields) => void warnings.push(fields) },
    });
    await recorder.record(makeRecordInput());

    await recorder.flush();

    expect(sleeps).toEqual([1_000, 2_000]);
    expect(batches.length).toBe(1);
    expect(warnings.map((fields) => fields.attempt)).toEqual([1, 2]);
  });

  it("keeps the records when every attempt fails", async () => {
    const failed = new PaddockError("AUDIT_LEDGER_CONFLICT", "moved");
    const spool = await openFileAuditSpool({ directory });
    const recorder = createAuditRecorder({ spool, ledger: scriptedLedger(Array(FLUSH_MAX_ATTEMPTS).fill(failed)).ledger, sleep: async () => {} });
    const made = await recorder.record(makeRecordInput());

    await expect(recorder.flush()).rejects.toThrow("moved");
    expect(await spool.list({ limit: 10 })).toEqual([made]);
  });

  it("does not retry a rejected request", async () => {
    const sleeps: number[] = [];
    const { ledger } = scriptedLedger([new PaddockError("AUDIT_LEDGER_REJECTED", "401")]);
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, sleep: async (ms) => void sleeps.push(ms) });
    await recorder.record(makeRecordInput());

    await expect(recorder.flush()).rejects.toThrow("401");
    expect(sleeps).toEqual([]);
  });

  it("runs a flush requested during a flush afterwards", async () => {
    const { ledger, batches } = scriptedLedger();
    const recorder = createAuditRecorder({ spool: await openFileAuditSpool({ directory }), ledger, sleep: async () => {} });
    await recorder.record(makeRecordInput({ deliveryId: "first" }));

    const first = recorder.flush();
    await recorder.record(makeRecordInput({ deliveryId: "second" }));
    const second = recorder.flush();
    const third = recorder.flush();
    await Promise.all([first, second, third]);

    expect(batches.flat().map((record) => record.deliveryId)).toEqual(["first", "second"]);
    expect(second).toBe(third);
  });
});
