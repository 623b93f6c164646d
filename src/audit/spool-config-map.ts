import type { V1ConfigMap } from "@kubernetes/client-node";

import { LABEL_PREFIX, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from "../environments/environment-labels.ts";
import { PaddockError } from "../errors.ts";
import { pendingAuditRecordSchema, type PendingAuditRecord } from "./audit-record-schema.ts";

/** Labels of every spool ConfigMap; listing selects on both. */
export const SPOOL_LABELS: Readonly<Record<string, string>> = {
  [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
  "app.kubernetes.io/component": "audit-spool",
};
/** Label selector that lists the spool ConfigMaps and nothing else. */
export const SPOOL_LABEL_SELECTOR = Object.entries(SPOOL_LABELS)
  .map(([key, value]) => `${key}=${value}`)
  .join(",");
/** Annotation naming the spool instance that may flush a ConfigMap's records. */
export const HOLDER_ANNOTATION = `${LABEL_PREFIX}/audit-spool-holder`;
/** Annotation with the ISO 8601 time the hold ends; after it another instance may take the ConfigMap over. */
export const HELD_UNTIL_ANNOTATION = `${LABEL_PREFIX}/audit-spool-held-until`;
/** Data key of the records, one JSON object per line. */
export const RECORDS_KEY = "records.jsonl";
/** Prefix of every spool ConfigMap's name. */
export const SPOOL_NAME_PREFIX = "paddock-audit-";

/**
 * Maximum bytes of records in one ConfigMap. The API server rejects a ConfigMap whose data
 * exceeds 1 MiB (1,048,576 bytes), and etcd rejects requests over 1.5 MiB by default; the
 * margin covers metadata and the escaping of JSON inside a JSON string.
 */
export const SPOOL_OBJECT_MAX_BYTES = 768 * 1024;
/**
 * Maximum records in one ConfigMap. Each append rewrites the whole ConfigMap, and etcd keeps
 * each revision until compaction, so this bounds one append to about 120 KB of 1.2 KB records.
 */
export const SPOOL_OBJECT_MAX_RECORDS = 100;

/** One spool ConfigMap as the spool reads it. */
export interface SpoolObject {
  name: string;
  resourceVersion: string;
  holder: string;
  /** End of the hold, in milliseconds since the epoch. */
  heldUntilMs: number;
  records: PendingAuditRecord[];
}

/**
 * Names a spool ConfigMap so that names sort in the order the instance wrote them: the UTC time
 * to the millisecond, the instance id and a counter. The caller keeps `time` from moving backwards.
 */
export function nameSpoolObject(options: { time: Date; instanceId: string; counter: number }): string {
  const stamp = options.time.toISOString().replace(/[-:.TZ]/g, "");
  return `${SPOOL_NAME_PREFIX}${stamp}-${options.instanceId}-${String(options.counter).padStart(8, "0")}`;
}

/** Returns the bytes a record takes in a spool ConfigMap, its newline included. */
export function measureSpoolRecord(record: PendingAuditRecord): number {
  return Buffer.byteLength(JSON.stringify(record), "utf8") + 1;
}

/** Rejects a record that could never fit in one ConfigMap, naming its id and size. */
export function requireSpoolableRecord(record: PendingAuditRecord): number {
  const bytes = measureSpoolRecord(record);
  if (bytes <= SPOOL_OBJECT_MAX_BYTES) return bytes;
  throw new PaddockError("AUDIT_SPOOL_FAILED", `audit record ${record.id} is ${bytes} bytes, over the ${SPOOL_OBJECT_MAX_BYTES}-byte limit of one spool ConfigMap`, {
    hint: "shorten the record's longest fields, such as decision reasons",
  });
}

/** Builds the body of a spool ConfigMap for a create or replace request. */
export function buildSpoolConfigMap(options: {
  namespace: string;
  object: Omit<SpoolObject, "resourceVersion"> & { resourceVersion?: string };
}): V1ConfigMap {
  const { namespace, object } = options;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: object.name,
      namespace,
      labels: { ...SPOOL_LABELS },
      annotations: { [HOLDER_ANNOTATION]: object.holder, [HELD_UNTIL_ANNOTATION]: new Date(object.heldUntilMs).toISOString() },
      ...(object.resourceVersion === undefined ? {} : { resourceVersion: object.resourceVersion }),
    },
    data: { [RECORDS_KEY]: object.records.map((record) => `${JSON.stringify(record)}\n`).join("") },
  };
}

/** Reads a spool ConfigMap; rejects one whose records or annotations are not valid, naming it. */
export function readSpoolConfigMap(configMap: V1ConfigMap): SpoolObject {
  const name = configMap.metadata?.name ?? "(unnamed)";
  const resourceVersion = configMap.metadata?.resourceVersion;
  const annotations = configMap.metadata?.annotations ?? {};
  const holder = annotations[HOLDER_ANNOTATION] ?? "";
  const heldUntilMs = Date.parse(annotations[HELD_UNTIL_ANNOTATION] ?? "");
  if (resourceVersion === undefined) throw invalidObject(name, "has no resourceVersion");
  // An unreadable hold counts as expired, so some instance still flushes the records.
  const hold = { holder, heldUntilMs: Number.isNaN(heldUntilMs) ? 0 : heldUntilMs };

  const text = configMap.data?.[RECORDS_KEY] ?? "";
  const records = text
    .split("\n")
    .filter((line) => line !== "")
    .map((line, index) => parseRecordLine(line, `${name} line ${index + 1}`));
  return { name, resourceVersion, ...hold, records };
}

function parseRecordLine(line: string, where: string): PendingAuditRecord {
  try {
    return pendingAuditRecordSchema.parse(JSON.parse(line));
  } catch (error) {
    throw invalidObject(where, "is not a valid audit record", error);
  }
}

function invalidObject(where: string, problem: string, cause?: unknown): PaddockError {
  return new PaddockError("AUDIT_SPOOL_FAILED", `the audit spool ConfigMap ${where} ${problem}`, {
    hint: "restore the ConfigMap from a backup or move its records to the ledger by hand, then delete it; the spool stops at it until then",
    cause,
  });
}
