import { describe, expect, it } from "vitest";
import { NO_AGENT_KEY, queryAuditRecords } from "../../src/audit/query-audit-records.ts";
import { buildLedger } from "./support/build-ledger.ts";
import { QUERY_INPUTS } from "./support/audit-fixtures.ts";

const ledger = buildLedger({ batches: [{ count: QUERY_INPUTS.length, now: new Date("2026-12-04T15:00:00Z") }], input: (index) => QUERY_INPUTS[index]! });

describe("queryAuditRecords", () => {
  it("totals cost by agent, actor and repository", () => {
    const result = queryAuditRecords({ recordFiles: ledger.recordFiles(), query: {} });

    expect(result.records.length).toBe(6);
    expect(result.unreadable).toEqual([]);
    expect(result.totals.byAgent).toEqual([
      { key: "copilot", records: 3, costs: [{ currency: "USD", amountNanos: 30_769_917n }] },
      { key: NO_AGENT_KEY, records: 2, costs: [{ currency: "EUR", amountNanos: 50_000n }, { currency: "USD", amountNanos: 13_361_667n }] },
      { key: "codex", records: 1, costs: [{ currency: "USD", amountNanos: 13_361_667n }] },
    ]);
    expect(result.totals.byRepository.map((total) => [total.key, total.records])).toEqual([["acme/web", 4], ["acme/api", 2]]);
    expect(result.totals.byActor.map((total) => total.key)).toEqual(["copilot-swe-agent[bot]", "octocat", "codex-bot"]);
  });

  it("filters by actor case-insensitively", () => {
    const result = queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { actor: "OctoCat" } });

    expect(result.records.map((record) => record.sequence)).toEqual([4, 5]);
  });

  it("filters by agent, repository and action", () => {
    expect(queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { agent: "codex" } }).records.map((record) => record.sequence)).toEqual([6]);
    expect(queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { repository: "acme/API" } }).records.map((record) => record.sequence)).toEqual([4, 5]);
    expect(queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { action: "step.started" } }).records.map((record) => record.sequence)).toEqual([3]);
  });

  it("filters by a half-open time range", () => {
    const query = { since: new Date("2026-12-04T10:00:00Z"), until: new Date("2026-12-04T12:00:00Z") };

    expect(queryAuditRecords({ recordFiles: ledger.recordFiles(), query }).records.map((record) => record.sequence)).toEqual([2, 3]);
  });

  it("lists unreadable lines", () => {
    const files = [{ path: "records/2026/12/04.jsonl", text: `${ledger.recordFiles()[0]!.text}{broken\n` }];

    expect(queryAuditRecords({ recordFiles: files, query: {} }).unreadable).toEqual(["records/2026/12/04.jsonl:7"]);
  });
});
