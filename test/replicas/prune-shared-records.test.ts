import { describe, expect, it } from "vitest";
import type { ApprovalRecord } from "../../src/policy/records/approval-store.ts";
import { sumSpend, type SpendEntry } from "../../src/policy/records/spend-ledger.ts";
import { dropSupersededApprovals, foldSpendEntries, SUPERSEDED_APPROVAL_GRACE_MS } from "../../src/replicas/prune-shared-records.ts";

const OLD_HEAD = "a".repeat(40);
const NEW_HEAD = "b".repeat(40);
const APPROVED_AT = Date.parse("2026-12-05T12:00:00.000Z");

function makeApproval(headSha: string, ageMs: number): ApprovalRecord {
  return { repositoryId: 7, pullRequest: 3, headSha, login: "maintainer", permission: "write", via: "label", at: new Date(APPROVED_AT - ageMs).toISOString() };
}

function makeSpend(overrides: Partial<SpendEntry>): SpendEntry {
  return { day: "2026-12-05", repositoryId: 7, actorClass: "agent", environment: "widgets-a", headSha: OLD_HEAD, currency: "USD", nanos: "10", at: "2026-12-05T01:00:00.000Z", ...overrides };
}

describe("dropSupersededApprovals", () => {
  it("keeps approvals of the same commit", () => {
    const stored = [makeApproval(NEW_HEAD, 3 * SUPERSEDED_APPROVAL_GRACE_MS)];

    expect(dropSupersededApprovals(stored, makeApproval(NEW_HEAD, 0))).toEqual(stored);
  });

  it("drops older commits past the grace", () => {
    const stale = makeApproval(OLD_HEAD, SUPERSEDED_APPROVAL_GRACE_MS);
    const recent = makeApproval(OLD_HEAD, SUPERSEDED_APPROVAL_GRACE_MS - 1);

    expect(dropSupersededApprovals([stale, recent], makeApproval(NEW_HEAD, 0))).toEqual([recent]);
  });

  it("keeps a newer approval when a stale one arrives", () => {
    // The stale approval read its head before the push, so its time is older than the stored one.
    const newer = makeApproval(NEW_HEAD, 0);

    expect(dropSupersededApprovals([newer], makeApproval(OLD_HEAD, 60_000))).toEqual([newer]);
  });

  it("keeps a record with an unreadable time", () => {
    const unreadable = { ...makeApproval(OLD_HEAD, 0), at: "yesterday" };

    expect(dropSupersededApprovals([unreadable], makeApproval(NEW_HEAD, 0))).toEqual([unreadable]);
  });
});

describe("foldSpendEntries", () => {
  it("keeps entries below the maximum", () => {
    const entries = [makeSpend({}), makeSpend({ environment: "widgets-b" })];

    expect(foldSpendEntries(entries, 3)).toBe(entries);
  });

  it("folds a full list into sums", () => {
    const entries = [
      makeSpend({ nanos: "10" }),
      makeSpend({ nanos: "20", environment: "widgets-b", at: "2026-12-05T03:00:00.000Z" }),
      makeSpend({ nanos: "5", actorClass: "human" }),
      makeSpend({ nanos: "7", currency: "EUR" }),
    ];

    const folded = foldSpendEntries(entries, 4);

    expect(folded).toEqual([
      { ...makeSpend({ nanos: "30", at: "2026-12-05T03:00:00.000Z" }), environment: "", headSha: "", folded: 2 },
      { ...makeSpend({ nanos: "5", actorClass: "human" }), environment: "", headSha: "", folded: 1 },
      { ...makeSpend({ nanos: "7", currency: "EUR" }), environment: "", headSha: "", folded: 1 },
    ]);
  });

  it("changes no budget sum", () => {
    const entries = Array.from({ length: 50 }, (_, index) => makeSpend({ nanos: String(1_000_000_007 * (index + 1)), actorClass: index % 3 === 0 ? "human" : "agent", environment: `widgets-${index}` }));
    const queries = [
      { repositoryId: 7, day: "2026-12-05", currency: "USD" },
      { repositoryId: 7, day: "2026-12-05", currency: "USD", actorClass: "agent" as const },
      { repositoryId: 7, day: "2026-12-05", currency: "USD", actorClass: "human" as const },
    ];

    const folded = foldSpendEntries(entries, 50);

    expect(folded).toHaveLength(2);
    for (const query of queries) expect(sumSpend(folded, query)).toBe(sumSpend(entries, query));
  });

  it("counts entries folded before", () => {
    const earlier = { ...makeSpend({ nanos: "100" }), environment: "", headSha: "", folded: 40 };

    expect(foldSpendEntries([earlier, makeSpend({ nanos: "1" })], 2)).toEqual([{ ...earlier, nanos: "101", folded: 41 }]);
  });
});
