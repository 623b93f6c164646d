import { describe, expect, it } from "vitest";

import type { PendingAuditRecord } from "../../src/audit/audit-record-schema.ts";
import { buildPendingAuditRecord } from "../../src/audit/build-audit-record.ts";
import { planSpoolWrites } from "../../src/audit/plan-spool-writes.ts";
import {
  buildSpoolConfigMap,
  HELD_UNTIL_ANNOTATION,
  HOLDER_ANNOTATION,
  measureSpoolRecord,
  nameSpoolObject,
  readSpoolConfigMap,
  RECORDS_KEY,
  requireSpoolableRecord,
  SPOOL_OBJECT_MAX_BYTES,
  SPOOL_OBJECT_MAX_RECORDS,
} from "../../src/audit/spool-config-map.ts";
import { FIXTURE_TIME, makeRecordInput } from "./support/audit-fixtures.ts";

function record(index: number, reasons: string[] = ["within the org limits"]): PendingAuditRecord {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
  return buildPendingAuditRecord({ input: makeRecordInput({ decision: { allowed: true, reasons } }), now: FIXTURE_TIME, id });
}

function records(from: number, count: number): PendingAuditRecord[] {
  return Array.from({ length: count }, (_, index) => record(from + index));
}

// About 123 KB: 30 reasons of the schema's maximum length.
function largeRecord(index: number): PendingAuditRecord {
  return record(index, Array.from({ length: 30 }, () => "x".repeat(4_096)));
}

describe("nameSpoolObject", () => {
  it("sorts names in write order", () => {
    const names = [
      nameSpoolObject({ time: new Date("2026-12-04T09:59:59.999Z"), instanceId: "ffffffff", counter: 7 }),
      nameSpoolObject({ time: new Date("2026-12-04T10:00:00.000Z"), instanceId: "0a1b2c3d", counter: 9 }),
      nameSpoolObject({ time: new Date("2026-12-04T10:00:00.000Z"), instanceId: "0a1b2c3d", counter: 10 }),
    ];

    expect(names[1]).toBe("paddock-audit-20261204100000000-0a1b2c3d-00000009");
    expect([...names].sort()).toEqual(names);
  });
});

describe("requireSpoolableRecord", () => {
  it("returns the size of a record that fits", () => {
    expect(requireSpoolableRecord(record(1))).toBe(measureSpoolRecord(record(1)));
  });

  it("rejects a record larger than a ConfigMap", () => {
    const huge = record(2, Array.from({ length: 200 }, () => "x".repeat(4_096)));

    expect(() => requireSpoolableRecord(huge)).toThrow(
      `audit record ${huge.id} is ${measureSpoolRecord(huge)} bytes, over the ${SPOOL_OBJECT_MAX_BYTES}-byte limit of one spool ConfigMap. shorten the record's longest fields, such as decision reasons`,
    );
  });
});

describe("readSpoolConfigMap", () => {
  const object = { name: "paddock-audit-1", holder: "0a1b2c3d", heldUntilMs: Date.parse("2026-12-04T10:05:00.000Z"), records: records(1, 2) };

  it("reads what buildSpoolConfigMap wrote", () => {
    const configMap = buildSpoolConfigMap({ namespace: "paddock-system", object });

    expect(readSpoolConfigMap({ ...configMap, metadata: { ...configMap.metadata, resourceVersion: "42" } })).toEqual({ ...object, resourceVersion: "42" });
  });

  it("takes an unreadable hold as ended", () => {
    const configMap = buildSpoolConfigMap({ namespace: "paddock-system", object });
    configMap.metadata!.annotations![HELD_UNTIL_ANNOTATION] = "soon";

    expect(readSpoolConfigMap({ ...configMap, metadata: { ...configMap.metadata, resourceVersion: "1" } }).heldUntilMs).toBe(0);
  });

  it("rejects a line that is not a record", () => {
    const configMap = { metadata: { name: "paddock-audit-2", resourceVersion: "1", annotations: { [HOLDER_ANNOTATION]: "x" } }, data: { [RECORDS_KEY]: `${JSON.stringify(record(1))}\n{"id":"x"}\n` } };

    expect(() => readSpoolConfigMap(configMap)).toThrow(
      "the audit spool ConfigMap paddock-audit-2 line 2 is not a valid audit record. restore the ConfigMap from a backup or move its records to the ledger by hand, then delete it; the spool stops at it until then",
    );
  });

  it("rejects an object without a resourceVersion", () => {
    expect(() => readSpoolConfigMap({ metadata: { name: "paddock-audit-3" } })).toThrow("the audit spool ConfigMap paddock-audit-3 has no resourceVersion");
  });
});

describe("planSpoolWrites", () => {
  it("groups appends into the open ConfigMap", () => {
    const open = { name: "open", resourceVersion: "1", holder: "a", heldUntilMs: 0, records: records(1, 3) };

    const writes = planSpoolWrites({ open, appends: [[record(4)], [record(5), record(6)]] });

    expect(writes).toEqual([{ kind: "extend", name: "open", records: [record(4), record(5), record(6)], appendIndexes: [0, 1] }]);
  });

  it("starts a new ConfigMap at the record limit", () => {
    const open = { name: "open", resourceVersion: "1", holder: "a", heldUntilMs: 0, records: records(1, SPOOL_OBJECT_MAX_RECORDS - 1) };

    const writes = planSpoolWrites({ open, appends: [[record(200)], [record(201), record(202)]] });

    expect(writes.map((write) => [write.kind, write.records.length, write.appendIndexes])).toEqual([
      ["extend", 1, [0]],
      ["create", 2, [1]],
    ]);
  });

  it("starts a new ConfigMap at the byte limit", () => {
    const appends = Array.from({ length: 8 }, (_, index) => [largeRecord(index)]);

    const writes = planSpoolWrites({ open: undefined, appends });

    const perWrite = Math.floor(SPOOL_OBJECT_MAX_BYTES / measureSpoolRecord(largeRecord(0)));
    expect(writes.map((write) => write.records.length)).toEqual([perWrite, appends.length - perWrite]);
    for (const write of writes) expect(write.records.reduce((sum, item) => sum + measureSpoolRecord(item), 0)).toBeLessThanOrEqual(SPOOL_OBJECT_MAX_BYTES);
  });

  it("splits one append larger than a ConfigMap", () => {
    const writes = planSpoolWrites({ open: undefined, appends: [records(1, 2), records(10, SPOOL_OBJECT_MAX_RECORDS + 5)] });

    expect(writes.map((write) => [write.records.length, write.appendIndexes])).toEqual([
      [SPOOL_OBJECT_MAX_RECORDS, [0]],
      [7, [1]],
    ]);
  });
});
