import { describe, expect, it } from "vitest";
import { chainAuditRecords, hashAuditRecord } from "../../src/audit/audit-chain.ts";
import { GENESIS_HASH } from "../../src/audit/audit-record-schema.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { canonicalizeJson, hashCanonicalJson } from "../../src/audit/canonical-json.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";

const ID_1 = "00000000-0000-4000-8000-000000000001";
const ID_2 = "00000000-0000-4000-8000-000000000002";
const pending = [
  buildPendingAuditRecord({ input: makeRecordInput(), now: FIXTURE_TIME, id: ID_1 }),
  buildPendingAuditRecord({ input: makeRecordInput({ action: "step.started", cost: null }), now: FIXTURE_TIME, id: ID_2 }),
];

describe("chainAuditRecords", () => {
  it("numbers from 1 and starts at the genesis hash", () => {
    const [first, second] = chainAuditRecords({ head: null, pending });

    expect(first!.sequence).toBe(1);
    expect(first!.prev).toBe(GENESIS_HASH);
    expect(second!.sequence).toBe(2);
    expect(second!.prev).toBe(first!.hash);
  });

  it("hashes the canonical JSON without hash", () => {
    const [first] = chainAuditRecords({ head: null, pending });
    const { hash, ...rest } = first!;

    expect(hash).toBe(hashCanonicalJson(rest));
    expect(hashAuditRecord(first!)).toBe(hash);
    expect(Object.keys(JSON.parse(canonicalizeJson(rest)))).not.toContain("hash");
  });

  it("continues after a head", () => {
    const [first] = chainAuditRecords({ head: { sequence: 41, hash: "b".repeat(64) }, pending });

    expect(first!.sequence).toBe(42);
    expect(first!.prev).toBe("b".repeat(64));
  });

  it("gives the same hash for the same input", () => {
    expect(chainAuditRecords({ head: null, pending })).toEqual(chainAuditRecords({ head: null, pending }));
  });

  it("changes the hash when any field changes", () => {
    const [original] = chainAuditRecords({ head: null, pending });
    const edited = { ...original!, cost: { ...original!.cost!, amountNanos: 1 } };

    expect(hashAuditRecord(edited)).not.toBe(original!.hash);
  });
});
