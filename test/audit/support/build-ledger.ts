import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { KeyObject } from "node:crypto";
import type { LedgerFile } from "../../../src/audit/audit-problem.ts";
import { buildPendingAuditRecord, type AuditRecordInput } from "../../../src/audit/build-audit-record.ts";
import { chooseRecordFilePath, planLedgerAppend } from "../../../src/audit/plan-ledger-append.ts";
import { HEAD_PATH, type LedgerHead } from "../../../src/audit/ledger-layout.ts";
import { FIXTURE_TIME, makeRecordInput } from "./audit-fixtures.ts";

/** The files of a ledger, as a checkout contains them. */
export interface BuiltLedger {
  files: Map<string, string>;
  recordFiles(): LedgerFile[];
  checkpointFiles(): LedgerFile[];
  headFile(): LedgerFile | null;
  writeCheckout(directory: string): void;
}

/**
 * Builds a ledger the way the Git ledger writes one, one batch per entry of `batches`, each
 * appended at its `now`. Record inputs come from `input(index)` for the record's 0-based index.
 */
export function buildLedger(options: {
  batches: Array<{ count: number; now: Date }>;
  signer?: { privateKey: KeyObject; interval: number };
  input?: (index: number) => AuditRecordInput;
}): BuiltLedger {
  const files = new Map<string, string>();
  let head: LedgerHead | null = null;
  let index = 0;

  for (const batch of options.batches) {
    const pending = Array.from({ length: batch.count }, () => {
      index += 1;
      const id = `00000000-0000-4000-8000-${String(index).padStart(12, "0")}`;
      return buildPendingAuditRecord({ input: options.input?.(index - 1) ?? makeRecordInput(), now: FIXTURE_TIME, id });
    });
    const path = chooseRecordFilePath({ head, now: batch.now });
    const text = files.get(path);
    const plan = planLedgerAppend({ snapshot: { head, recordFile: { path, text: text ?? "", exists: text !== undefined } }, pending, now: batch.now, ...(options.signer ? { signer: options.signer } : {}) });
    for (const file of plan.files) files.set(file.path, file.content);
    head = plan.head;
  }

  const select = (prefix: string) => [...files.entries()].filter(([path]) => path.startsWith(prefix)).sort(([left], [right]) => (left < right ? -1 : 1)).map(([path, text]) => ({ path, text }));
  return {
    files,
    recordFiles: () => select("records/"),
    checkpointFiles: () => select("checkpoints/"),
    headFile: () => (files.has(HEAD_PATH) ? { path: HEAD_PATH, text: files.get(HEAD_PATH)! } : null),
    writeCheckout(directory) {
      for (const [path, text] of files) {
        mkdirSync(dirname(join(directory, path)), { recursive: true });
        writeFileSync(join(directory, path), text);
      }
    },
  };
}
