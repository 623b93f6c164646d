import type { LedgerFile } from "./audit-problem.ts";
import { auditRecordSchema, type AuditAction, type AuditRecord } from "./audit-record-schema.ts";
import { compareExactTimes, parseExactTime, type ExactTime } from "./exact-time.ts";

/** Filters of `paddock audit query`; each one left out matches every record. */
export interface AuditQuery {
  /** Actor login, compared case-insensitively. */
  actor?: string;
  /** Agent app, compared case-insensitively. */
  agent?: string;
  /** Repository full name such as `acme/web`, compared case-insensitively. */
  repository?: string;
  action?: AuditAction;
  /** Inclusive start of the time range, compared to every digit of a record's time. */
  since?: ExactTime;
  /** Exclusive end of the time range, compared to every digit of a record's time. */
  until?: ExactTime;
}

/** Records of one group and their cost per currency, in whole nano-units. */
export interface CostTotal {
  key: string;
  records: number;
  /** One entry per currency, sorted by currency; empty when no record had a cost. */
  costs: Array<{ currency: string; amountNanos: bigint }>;
}

/** Key of the agent group for records made by a person. */
export const NO_AGENT_KEY = "(none)";

/** Matching records and their cost totals by agent, actor and repository. */
export interface AuditQueryResult {
  records: AuditRecord[];
  totals: { byAgent: CostTotal[]; byActor: CostTotal[]; byRepository: CostTotal[] };
  /** Lines that are not valid records, as `path:line`; run `paddock audit verify` for why. */
  unreadable: string[];
}

/** Parses record files and returns the records matching `query`, with cost totals. Pure. */
export function queryAuditRecords(options: { recordFiles: readonly LedgerFile[]; query: AuditQuery }): AuditQueryResult {
  const unreadable: string[] = [];
  const all: AuditRecord[] = [];
  for (const file of options.recordFiles) {
    file.text.split("\n").forEach((line, index) => {
      if (line === "") return;
      const record = parseRecord(line);
      if (record) all.push(record);
      else unreadable.push(`${file.path}:${index + 1}`);
    });
  }

  const records = all.filter((record) => matchesQuery(record, options.query));
  return {
    records,
    totals: {
      byAgent: totalCost(records, (record) => record.agent?.app ?? NO_AGENT_KEY),
      byActor: totalCost(records, (record) => record.actor.login),
      byRepository: totalCost(records, (record) => record.repository.fullName),
    },
    unreadable,
  };
}

function parseRecord(line: string): AuditRecord | undefined {
  try {
    const parsed = auditRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function matchesQuery(record: AuditRecord, query: AuditQuery): boolean {
  const same = (left: string | undefined, right: string | undefined) => left?.toLowerCase() === right?.toLowerCase();
  if (query.actor !== undefined && !same(record.actor.login, query.actor)) return false;
  if (query.agent !== undefined && !same(record.agent?.app, query.agent)) return false;
  if (query.repository !== undefined && !same(record.repository.fullName, query.repository)) return false;
  if (query.action !== undefined && record.action !== query.action) return false;
  if (query.since === undefined && query.until === undefined) return true;

  // The record schema accepts only RFC 3339 times, which Date.parse reads, so this is a guard.
  const time = parseExactTime(record.time);
  if (time === undefined) return false;
  if (query.since !== undefined && compareExactTimes(time, query.since) < 0) return false;
  if (query.until !== undefined && compareExactTimes(time, query.until) >= 0) return false;
  return true;
}

/** Groups records by key and sums their costs per currency; sorted by record count, then key. */
function totalCost(records: readonly AuditRecord[], keyOf: (record: AuditRecord) => string): CostTotal[] {
  const groups = new Map<string, { records: number; costs: Map<string, bigint> }>();
  for (const record of records) {
    const key = keyOf(record);
    const group = groups.get(key) ?? { records: 0, costs: new Map<string, bigint>() };
    group.records += 1;
    if (record.cost) group.costs.set(record.cost.currency, (group.costs.get(record.cost.currency) ?? 0n) + BigInt(record.cost.amountNanos));
    groups.set(key, group);
  }

  const totals = [...groups.entries()].map(([key, group]) => ({
    key,
    records: group.records,
    costs: [...group.costs.entries()].sort(([left], [right]) => left.localeCompare(right)).map(([currency, amountNanos]) => ({ currency, amountNanos })),
  }));
  return totals.sort((left, right) => right.records - left.records || left.key.localeCompare(right.key));
}
