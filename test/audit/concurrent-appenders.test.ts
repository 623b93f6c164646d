import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditLedger } from "../../src/audit/audit-ledger.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { createGitAuditLedger } from "../../src/audit/git-audit-ledger.ts";
import { verifyAuditLedger } from "../../src/audit/verify-audit-ledger.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import type { FakeHandler } from "../support/fake-github-types.ts";
import { createAuditOctokit } from "./support/audit-octokit.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";
import { createFakeGitRepository, type FakeGitRepository } from "./support/fake-git-repository.ts";

const REF_ROUTE = "GET /repos/{owner}/{repo}/git/ref/{ref}";
const UPDATE_ROUTE = "PATCH /repos/{owner}/{repo}/git/refs/{ref}";
const BATCHES_PER_REPLICA = 4;
const RECORDS_PER_BATCH = 10;

function batches(replica: string) {
  return Array.from({ length: BATCHES_PER_REPLICA }, (_, batch) =>
    Array.from({ length: RECORDS_PER_BATCH }, (_, index) =>
      buildPendingAuditRecord({ input: makeRecordInput({ deliveryId: `${replica}-${batch}-${index}` }), now: FIXTURE_TIME }),
    ),
  );
}

function replica(): AuditLedger {
  return createGitAuditLedger({ request: createAuditOctokit().request, owner: "acme", now: () => FIXTURE_TIME, sleep: async () => {} });
}

async function appendAll(ledger: AuditLedger, list: ReturnType<typeof batches>) {
  for (const batch of list) await ledger.append(batch);
}

/** Holds the first `count` ref reads until all of them arrived, so both replicas start from the same commit. */
function holdFirstReads(repository: FakeGitRepository, count: number): FakeHandler {
  const release: Array<() => void> = [];
  const handler = repository.handlers[REF_ROUTE]!;
  return async (request) => {
    if (release.length < count) {
      const held = new Promise<void>((resolve) => release.push(resolve));
      if (release.length === count) release.forEach((resolve) => resolve());
      await held;
    }
    return handler(request);
  };
}

describe("two concurrent appenders", () => {
  let fake: FakeGitHub;
  let repository: FakeGitRepository;

  beforeEach(() => {
    fake = createFakeGitHub();
    repository = createFakeGitRepository({ fake, owner: "acme", repo: "paddock-audit" });
  });
  afterEach(() => {
    fake.close();
    fake.assertNoViolations();
  });

  function checkOneChain(expectedIds: string[]) {
    const files = repository.files();
    const text = files.get("records/2026/12/04.jsonl")!;
    const records = text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { id: string; sequence: number });
    const verification = verifyAuditLedger({ recordFiles: [{ path: "records/2026/12/04.jsonl", text }], checkpointFiles: [], headFile: { path: "head.json", text: files.get("head.json")! } });

    expect(verification.problem).toBeNull();
    expect(records.map((record) => record.sequence)).toEqual(Array.from({ length: expectedIds.length }, (_, index) => index + 1));
    expect(new Set(records.map((record) => record.id)).size).toBe(expectedIds.length);
    expect([...records.map((record) => record.id)].sort()).toEqual([...expectedIds].sort());
  }

  it("keep one chain when the race makes ref updates conflict", async () => {
    fake.on(REF_ROUTE, holdFirstReads(repository, 2));
    const left = batches("left");
    const right = batches("right");

    await Promise.all([appendAll(replica(), left), appendAll(replica(), right)]);

    const conflicts = fake.calls.filter((call) => call.method === "PATCH" && call.status === 422);
    expect(conflicts.length).toBeGreaterThanOrEqual(1);
    checkOneChain([...left, ...right].flat().map((record) => record.id));
    expect(repository.history().length).toBe(1 + 2 * BATCHES_PER_REPLICA);
  });

  it("keep one chain when GitHub answers updates with 409", async () => {
    fake.failNext(UPDATE_ROUTE, { status: 409, times: 3 });
    const left = batches("left");
    const right = batches("right");

    await Promise.all([appendAll(replica(), left), appendAll(replica(), right)]);

    expect(fake.calls.filter((call) => call.method === "PATCH" && call.status === 409).length).toBe(3);
    checkOneChain([...left, ...right].flat().map((record) => record.id));
  });
});
