import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createJsonlApprovalStore } from "../../src/policy/records/approval-store.ts";
import { createJsonlSpendLedger, utcDay, type SpendEntry } from "../../src/policy/records/spend-ledger.ts";

const DAY = "2026-12-04";

function entry(overrides: Partial<SpendEntry>): SpendEntry {
  return { day: DAY, repositoryId: 1, actorClass: "agent", environment: "app-pr-1-abc", headSha: "a".repeat(40), currency: "USD", nanos: "100", at: `${DAY}T10:00:00.000Z`, ...overrides };
}

describe("JSONL spend ledger", () => {
  it("sums one day's spend per repository and actor class from the file", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    const writer = createJsonlSpendLedger({ stateDir });
    await writer.record(entry({ nanos: "100" }));
    await writer.record(entry({ nanos: "250", actorClass: "human" }));
    await writer.record(entry({ nanos: "7", repositoryId: 2 }));
    await writer.record(entry({ nanos: "1000", currency: "EUR" }));
    await writer.record(entry({ nanos: "5", day: "2026-12-03" }));

    // A second instance reads what the first wrote: nothing lives in process memory.
    const reader = createJsonlSpendLedger({ stateDir });
    expect(await reader.spentToday({ repositoryId: 1, day: DAY, currency: "USD" })).toBe(350n);
    expect(await reader.spentToday({ repositoryId: 1, actorClass: "agent", day: DAY, currency: "USD" })).toBe(100n);
    expect(await reader.spentToday({ repositoryId: 3, day: DAY, currency: "USD" })).toBe(0n);
  });

  it("refuses to guess around an unreadable line", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    await createJsonlSpendLedger({ stateDir }).record(entry({}));
    appendFileSync(join(stateDir, "spend", `${DAY}.jsonl`), "{not json\n");
    await expect(createJsonlSpendLedger({ stateDir }).spentToday({ repositoryId: 1, day: DAY, currency: "USD" })).rejects.toThrow(
      new RegExp(`spend/${DAY}\\.jsonl:2: unreadable record`),
    );
  });

  it("names the UTC day", () => {
    expect(utcDay(new Date("2026-12-04T23:59:59.999Z"))).toBe("2026-12-04");
    expect(utcDay(new Date("2026-12-05T00:00:00.000+01:00"))).toBe("2026-12-04");
  });
});

describe("JSONL approval store", () => {
  it("finds an approval only for the exact head commit", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "paddock-approvals-"));
    const approval = { repositoryId: 1, pullRequest: 7, headSha: "b".repeat(40), login: "maintainer", permission: "write", via: "label" as const, at: "2026-12-04T10:00:00.000Z" };
    await createJsonlApprovalStore({ stateDir }).record(approval);

    const store = createJsonlApprovalStore({ stateDir });
    expect(await store.find({ repositoryId: 1, pullRequest: 7, headSha: "b".repeat(40) })).toEqual(approval);
    expect(await store.find({ repositoryId: 1, pullRequest: 7, headSha: "c".repeat(40) })).toBeUndefined();
    expect(await store.find({ repositoryId: 2, pullRequest: 7, headSha: "b".repeat(40) })).toBeUndefined();
  });
});
