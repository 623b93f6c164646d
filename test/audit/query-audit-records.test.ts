import { describe, expect, it } from "vitest";
import { compareExactTimes, parseExactTime } from "../../src/audit/exact-time.ts";
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
    const query = { since: parseExactTime("2026-12-04T10:00:00Z")!, until: parseExactTime("2026-12-04T12:00:00Z")! };

    expect(queryAuditRecords({ recordFiles: ledger.recordFiles(), query }).records.map((record) => record.sequence)).toEqual([2, 3]);
  });

  it("includes a record exactly at since", () => {
    const sequencesSince = (since: string) => queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { since: parseExactTime(since)! } }).records.map((record) => record.sequence);

    expect(sequencesSince("2026-12-04T10:00:00Z")).toEqual([2, 3, 4, 5, 6]);
    expect(sequencesSince("2026-12-04T10:00:00.001Z")).toEqual([3, 4, 5, 6]);
    expect(sequencesSince("2026-12-04T10:00:00.000000001Z")).toEqual([3, 4, 5, 6]);
  });

  it("excludes a record exactly at until", () => {
    const sequencesUntil = (until: string) => queryAuditRecords({ recordFiles: ledger.recordFiles(), query: { until: parseExactTime(until)! } }).records.map((record) => record.sequence);

    expect(sequencesUntil("2026-12-04T10:00:00Z")).toEqual([1]);
    expect(sequencesUntil("2026-12-04T10:00:00.000000001Z")).toEqual([1, 2]);
    expect(sequencesUntil("2026-12-04T09:59:59.999999999Z")).toEqual([1]);
  });

  it("compares sub-millisecond record times", () => {
    const text = ledger.recordFiles()[0]!.text.replace('"time":"2026-12-04T10:00:00.000Z"', '"time":"2026-12-04T10:00:00.0000005Z"');
    const files = [{ path: "records/2026/12/04.jsonl", text }];
    const sequencesSince = (since: string) => queryAuditRecords({ recordFiles: files, query: { since: parseExactTime(since)! } }).records.map((record) => record.sequence);

    expect(text).toContain('"time":"2026-12-04T10:00:00.0000005Z"');
    expect(sequencesSince("2026-12-04T10:00:00.0000005Z")).toEqual([2, 3, 4, 5, 6]);
    expect(sequencesSince("2026-12-04T10:00:00.000000499Z")).toEqual([2, 3, 4, 5, 6]);
    expect(sequencesSince("2026-12-04T10:00:00.000000501Z")).toEqual([3, 4, 5, 6]);
  });

  it("lists unreadable lines", () => {
    const files = [{ path: "records/2026/12/04.jsonl", text: `${ledger.recordFiles()[0]!.text}{broken\n` }];

    expect(queryAuditRecords({ recordFiles: files, query: {} }).unreadable).toEqual(["records/2026/12/04.jsonl:7"]);
  });
});

describe("compareExactTimes", () => {
  it.each([
    ["2026-12-05T09:10:00Z", "2026-12-05T09:10:00.0000005Z", -1],
    ["2026-12-05T09:10:00.0000005Z", "2026-12-05T09:10:00.00000050Z", 0],
    ["2026-12-05T09:10:00.5Z", "2026-12-05T09:10:00.4999999999999Z", 1],
    ["2026-12-05T10:10:00.25+01:00", "2026-12-05T09:10:00.25Z", 0],
    ["2026-12-05", "2026-12-05T00:00:00.000Z", 0],
    ["1969-12-31T23:59:59.5Z", "1970-01-01T00:00:00Z", -1],
  ])("compares %s with %s", (left, right, expected) => {
    expect(Math.sign(compareExactTimes(parseExactTime(left)!, parseExactTime(right)!))).toBe(expected);
  });

  it("keeps every fraction digit", () => {
    expect(parseExactTime("2026-12-05T09:10:00.0000005Z")).toEqual({ epochSeconds: 1_796_461_800, fraction: "0000005" });
  });

  it("rejects text Date cannot read", () => {
    expect(parseExactTime("yesterday")).toBeUndefined();
  });
});
