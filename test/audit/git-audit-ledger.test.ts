import { generateKeyPairSync } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditCheckpointSchema, verifyCheckpointSignature } from "../../src/audit/audit-checkpoint.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { createGitAuditLedger, MAX_CONFLICT_ATTEMPTS, type GitAuditLedgerOptions } from "../../src/audit/git-audit-ledger.ts";
import { PaddockError } from "../../src/errors.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createAuditOctokit } from "./support/audit-octokit.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";
import { createFakeGitRepository, type FakeGitRepository } from "./support/fake-git-repository.ts";

const OWNER = "acme";
const DAY_ONE = new Date("2026-12-04T23:59:00.000Z");
const DAY_TWO = new Date("2026-12-05T00:01:00.000Z");
const octokit = createAuditOctokit();
const signing = generateKeyPairSync("ed25519");

function pendingRecords(count: number, prefix = 0) {
  return Array.from({ length: count }, (_, index) =>
    buildPendingAuditRecord({ input: makeRecordInput(), now: FIXTURE_TIME, id: `00000000-0000-4000-8000-${String(prefix + index + 1).padStart(12, "0")}` }),
  );
}

function ledger(overrides: Partial<GitAuditLedgerOptions> = {}) {
  return createGitAuditLedger({ request: octokit.request, owner: OWNER, now: () => DAY_ONE, sleep: async () => {}, ...overrides });
}

function recordLines(repository: FakeGitRepository, path: string) {
  return (repository.files().get(path) ?? "").split("\n").filter(Boolean).map((line) => JSON.parse(line) as { sequence: number; id: string; prev: string; hash: string });
}

describe("createGitAuditLedger", () => {
  let fake: FakeGitHub;
  let repository: FakeGitRepository;

  beforeEach(() => {
    fake = createFakeGitHub();
    repository = createFakeGitRepository({ fake, owner: OWNER, repo: "paddock-audit" });
  });
  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
  });

  it("appends a batch in one commit", async () => {
    const result = await ledger().append(pendingRecords(150));

    expect(result.records.map((record) => record.sequence)).toEqual(Array.from({ length: 150 }, (_, index) => index + 1));
    expect(recordLines(repository, "records/2026/12/04.jsonl").length).toBe(150);
    expect(JSON.parse(repository.files().get("head.json")!)).toEqual({ schemaVersion: 1, sequence: 150, hash: result.records[149]!.hash, path: "records/2026/12/04.jsonl" });
    expect(repository.history().map((commit) => commit.message)).toEqual(["Append audit records 1-150", "Initial commit"]);
  });

  it("makes far fewer API calls than records", async () => {
    await ledger().append(pendingRecords(100));

    const writes = fake.calls.filter((call) => call.method !== "GET");
    expect(fake.calls.length).toBe(8);
    expect(writes.map((call) => `${call.method} ${call.pathTemplate}`)).toEqual([
      "POST /repos/{owner}/{repo}/git/blobs",
      "POST /repos/{owner}/{repo}/git/trees",
      "POST /repos/{owner}/{repo}/git/commits",
      "PATCH /repos/{owner}/{repo}/git/refs/{ref}",
    ]);
    expect(writes.length / 100).toBe(0.04);
  });

  it("moves the branch only as a fast-forward", async () => {
    await ledger().append(pendingRecords(1));

    const update = fake.calls.find((call) => call.method === "PATCH");
    expect(update?.body).toEqual({ sha: repository.history()[0]!.sha, force: false });
  });

  it("writes signed checkpoints at each interval", async () => {
    await ledger({ signer: { privateKey: signing.privateKey, interval: 10 } }).append(pendingRecords(25));

    const paths = [...repository.files().keys()].filter((path) => path.startsWith("checkpoints/"));
    expect(paths).toEqual(["checkpoints/000000000010.json", "checkpoints/000000000020.json"]);
    const checkpoint = auditCheckpointSchema.parse(JSON.parse(repository.files().get(paths[1]!)!));
    expect(checkpoint.hash).toBe(recordLines(repository, "records/2026/12/04.jsonl")[19]!.hash);
    expect(verifyCheckpointSignature({ checkpoint, publicKey: signing.publicKey })).toBe(true);
  });

  it("continues the chain in the next day's file", async () => {
    await ledger().append(pendingRecords(2));
    await ledger({ now: () => DAY_TWO }).append(pendingRecords(1, 2));

    const [next] = recordLines(repository, "records/2026/12/05.jsonl");
    expect(next!.sequence).toBe(3);
    expect(next!.prev).toBe(recordLines(repository, "records/2026/12/04.jsonl")[1]!.hash);
  });

  it("keeps the later day when a clock runs behind", async () => {
    await ledger({ now: () => DAY_TWO }).append(pendingRecords(1));
    await ledger({ now: () => DAY_ONE }).append(pendingRecords(1, 1));

    expect(recordLines(repository, "records/2026/12/05.jsonl").map((record) => record.sequence)).toEqual([1, 2]);
    expect(repository.files().has("records/2026/12/04.jsonl")).toBe(false);
  });

  it("skips records the ledger already has", async () => {
    await ledger().append(pendingRecords(2));
    const again = await ledger().append([...pendingRecords(2), ...pendingRecords(1, 2)]);

    expect(again.duplicateIds).toEqual(pendingRecords(2).map((record) => record.id));
    expect(again.records.map((record) => record.sequence)).toEqual([3]);
  });

  it("commits nothing when every record is a duplicate", async () => {
    await ledger().append(pendingRecords(2));
    const again = await ledger().append(pendingRecords(2));

    expect(again.records).toEqual([]);
    expect(repository.history().length).toBe(2);
  });

  it("renumbers after a ref conflict", async () => {
    const sleeps: number[] = [];
    fake.failNext("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { status: 409 });

    const result = await ledger({ sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 }).append(pendingRecords(3));

    expect(result.records.map((record) => record.sequence)).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([25]);
    expect(fake.calls.filter((call) => call.method === "PATCH").map((call) => call.status)).toEqual([409, 200]);
  });

  it("gives up after repeated conflicts", async () => {
    fake.failNext("PATCH /repos/{owner}/{repo}/git/refs/{ref}", { status: 422, times: MAX_CONFLICT_ATTEMPTS });

    const error = await ledger().append(pendingRecords(1)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("AUDIT_LEDGER_CONFLICT");
    expect(repository.history().length).toBe(1);
  });

  it("rejects a missing repository", async () => {
    const error = await ledger({ repo: "no-such-repo" }).append(pendingRecords(1)).catch((caught: unknown) => caught);

    expect((error as PaddockError).code).toBe("AUDIT_LEDGER_REJECTED");
    expect((error as PaddockError).message).toContain("GET /repos/{owner}/{repo}/git/ref/{ref} on acme/no-such-repo returned 404");
  });

  it("reports a server error as retryable", async () => {
    fake.failNext("POST /repos/{owner}/{repo}/git/blobs", { status: 502 });

    const error = await ledger().append(pendingRecords(1)).catch((caught: unknown) => caught);

    expect((error as PaddockError).code).toBe("AUDIT_LEDGER_FAILED");
  });

  it("stops at a head that does not match the records", async () => {
    await ledger().append(pendingRecords(2));
    const head = JSON.parse(repository.files().get("head.json")!) as Record<string, unknown>;
    repository.commitFile("head.json", JSON.stringify({ ...head, sequence: 1 }));

    const error = await ledger().append(pendingRecords(1, 2)).catch((caught: unknown) => caught);

    expect((error as PaddockError).code).toBe("AUDIT_LEDGER_INCONSISTENT");
    expect((error as PaddockError).message).toBe(
      "the audit ledger is inconsistent: head.json names sequence 1, but records/2026/12/04.jsonl ends at 2. run `paddock audit verify` on a checkout of the audit repository; appends stay paused until it is repaired",
    );
  });
});
