import type { PendingAuditRecord } from "./audit-record-schema.ts";
import { measureSpoolRecord, SPOOL_OBJECT_MAX_BYTES, SPOOL_OBJECT_MAX_RECORDS, type SpoolObject } from "./spool-config-map.ts";

/** One write of a group of appends: extend the open ConfigMap, or create a new one. */
export interface SpoolWrite {
  kind: "extend" | "create";
  /** The open ConfigMap's name, for `extend`. */
  name?: string;
  /** Records this write adds, in append order. */
  records: PendingAuditRecord[];
  /** Indexes of the appends whose last record this write stores, so they are durable once it succeeds. */
  appendIndexes: number[];
}

interface Target {
  write: SpoolWrite;
  count: number;
  bytes: number;
}

/**
 * Plans the writes that store a group of appends in order: first the open ConfigMap while it
 * has room, then new ConfigMaps of at most SPOOL_OBJECT_MAX_RECORDS records and
 * SPOOL_OBJECT_MAX_BYTES bytes. An append moves whole to a new ConfigMap when the current one
 * lacks room, and is split only when it alone exceeds one ConfigMap. Pure.
 */
export function planSpoolWrites(options: { open: SpoolObject | undefined; appends: ReadonlyArray<readonly PendingAuditRecord[]> }): SpoolWrite[] {
  const writes: SpoolWrite[] = [];
  let target: Target | undefined;
  if (options.open !== undefined) {
    const { name, records } = options.open;
    target = { write: { kind: "extend", name, records: [], appendIndexes: [] }, count: records.length, bytes: sumBytes(records) };
    writes.push(target.write);
  }
  const startNew = (): Target => {
    const created: Target = { write: { kind: "create", records: [], appendIndexes: [] }, count: 0, bytes: 0 };
    writes.push(created.write);
    return created;
  };

  options.appends.forEach((append, index) => {
    if (append.length === 0) return;
    const bytes = append.map(measureSpoolRecord);
    const total = bytes.reduce((sum, value) => sum + value, 0);
    const fitsFresh = append.length <= SPOOL_OBJECT_MAX_RECORDS && total <= SPOOL_OBJECT_MAX_BYTES;
    if (target === undefined || (fitsFresh && !hasRoom(target, append.length, total))) target = startNew();

    append.forEach((record, position) => {
      if (!hasRoom(target!, 1, bytes[position]!)) target = startNew();
      target!.write.records.push(record);
      target!.count += 1;
      target!.bytes += bytes[position]!;
    });
    target.write.appendIndexes.push(index);
  });
  return writes.filter((write) => write.records.length > 0);
}

function hasRoom(target: Target, count: number, bytes: number): boolean {
  return target.count + count <= SPOOL_OBJECT_MAX_RECORDS && target.bytes + bytes <= SPOOL_OBJECT_MAX_BYTES;
}

function sumBytes(records: readonly PendingAuditRecord[]): number {
  return records.reduce((sum, record) => sum + measureSpoolRecord(record), 0);
}
