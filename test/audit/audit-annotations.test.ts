import { describe, expect, it } from "vitest";
import { describeAuditRecord, renderAuditAnnotations } from "../../src/audit/audit-annotations.ts";
import { chainAuditRecords } from "../../src/audit/audit-chain.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { canonicalizeJson } from "../../src/audit/canonical-json.ts";
import { MAX_ANNOTATION_TEXT_BYTES } from "../../src/checks/output-limits.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";

const ID = "00000000-0000-4000-8000-000000000001";
const pending = buildPendingAuditRecord({ input: makeRecordInput(), now: FIXTURE_TIME, id: ID });

describe("renderAuditAnnotations", () => {
  it("renders a chained record as a notice", () => {
    const [record] = chainAuditRecords({ head: { sequence: 6, hash: "f".repeat(64) }, pending: [pending] });

    expect(renderAuditAnnotations({ records: [record!], path: ".github/paddock.yml", line: 1 })).toEqual([
      {
        path: ".github/paddock.yml",
        start_line: 1,
        end_line: 1,
        annotation_level: "notice",
        title: "Paddock audit #7: step.finished",
        message:
          "step.finished by copilot-swe-agent[bot] (agent copilot) on acme/web#12 at 2026-12-04T10:00:00.000Z · step test success · allowed: within the org limits · authorized by policy via org policy acme/.github · cost 0.0134 USD (requested)",
        raw_details: canonicalizeJson(record),
      },
    ]);
  });

  it("titles a pending record without a sequence", () => {
    const [annotation] = renderAuditAnnotations({ records: [pending], path: "a", line: 3 });

    expect(annotation!.title).toBe("Paddock audit: step.finished");
    expect(annotation!.start_line).toBe(3);
  });

  it("cuts details to the annotation limit", () => {
    const long = buildPendingAuditRecord({ input: makeRecordInput({ decision: { allowed: true, reasons: Array(40).fill("r".repeat(4_000)) } }), now: FIXTURE_TIME });
    const [annotation] = renderAuditAnnotations({ records: [long], path: "a", line: 1 });

    expect(Buffer.byteLength(annotation!.raw_details!, "utf8")).toBeLessThanOrEqual(MAX_ANNOTATION_TEXT_BYTES);
    expect(Buffer.byteLength(annotation!.message, "utf8")).toBeLessThanOrEqual(MAX_ANNOTATION_TEXT_BYTES);
  });
});

describe("describeAuditRecord", () => {
  it("describes a teardown on a branch", () => {
    const record = buildPendingAuditRecord({
      input: {
        action: "environment.torn_down",
        actor: { login: "paddock[bot]", id: 2, type: "Bot" },
        repository: { id: 7, fullName: "acme/web" },
        branch: "codex/retry",
        teardownReason: "ttl",
      },
      now: FIXTURE_TIME,
    });

    expect(describeAuditRecord(record)).toBe("environment.torn_down by paddock[bot] on acme/web@codex/retry at 2026-12-04T10:00:00.000Z · reason ttl");
  });
});
