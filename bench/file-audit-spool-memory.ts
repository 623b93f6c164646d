/**
 * Appends many audit records to a file spool with no ledger, as Paddock does without
 * PADDOCK_AUDIT_REPOSITORY, and prints the heap growth, the records held and the records kept
 * in memory. Then reopens the spool and prints the same for the replay. Writes only under a
 * new temporary directory, which it removes.
 *
 *   node --expose-gc --import tsx bench/file-audit-spool-memory.ts [--records 50000] [--batch 100]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { buildPendingAuditRecord } from "../src/audit/build-audit-record.ts";
import { openFileAuditSpool, SPOOL_JOURNAL_NAME } from "../src/audit/file-audit-spool.ts";
import { makeRecordInput } from "../test/audit/support/audit-fixtures.ts";

const { values } = parseArgs({ options: { records: { type: "string", default: "50000" }, batch: { type: "string", default: "100" } } });
const total = Number(values.records);
const batchSize = Number(values.batch);
const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error("run with node --expose-gc, so heap figures exclude garbage");

const heapMiB = (): number => {
  collect();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

const directory = mkdtempSync(join(tmpdir(), "paddock-spool-bench-"));
try {
  const baseline = heapMiB();
  const spool = await openFileAuditSpool({ directory });
  const started = performance.now();
  for (let made = 0; made < total; made += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, total - made) }, (_, index) =>
      buildPendingAuditRecord({ input: makeRecordInput({ deliveryId: `bench-${made + index}` }), now: new Date() }),
    );
    await spool.append(batch);
  }
  const appendSeconds = (performance.now() - started) / 1000;
  const afterAppend = heapMiB();
  const journalMiB = statSync(join(directory, SPOOL_JOURNAL_NAME)).size / 2 ** 20;
  console.log(`appended ${total} records in batches of ${batchSize}: ${appendSeconds.toFixed(1)} s, journal ${journalMiB.toFixed(1)} MiB`);
  console.log(`heap growth ${(afterAppend - baseline).toFixed(1)} MiB, stats ${JSON.stringify(spool.stats())}`);

  const reopenStarted = performance.now();
  const reopened = await openFileAuditSpool({ directory });
  const reopenSeconds = (performance.now() - reopenStarted) / 1000;
  console.log(`reopen ${reopenSeconds.toFixed(1)} s, heap growth ${(heapMiB() - baseline).toFixed(1)} MiB, stats ${JSON.stringify(reopened.stats())}`);
  console.log(`load average ${loadavg().map((value) => value.toFixed(2)).join(" ")}`);
} finally {
  rmSync(directory, { recursive: true, force: true });
}
