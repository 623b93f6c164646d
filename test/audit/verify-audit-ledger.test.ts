import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { chainAuditRecords } from "../../src/audit/audit-chain.ts";
import { signCheckpoint } from "../../src/audit/audit-checkpoint.ts";
import type { AuditRecord } from "../../src/audit/audit-record-schema.ts";
import { canonicalizeJson } from "../../src/audit/canonical-json.ts";
import { verifyAuditLedger } from "../../src/audit/verify-audit-ledger.ts";
import { buildLedger, type BuiltLedger } from "./support/build-ledger.ts";

const DAY_ONE = "records/2026/12/04.jsonl";
const DAY_TWO = "records/2026/12/05.jsonl";
const signing = generateKeyPairSync("ed25519");
const attacker = generateKeyPairSync("ed25519");

/** 25 records: 1-12 in the first day's file, 13-25 in the second's; checkpoints at 10 and 20. */
function intactLedger(): BuiltLedger {
  return buildLedger({
    batches: [
      { count: 12, now: new Date("2026-12-04T12:00:00Z") },
      { count: 13, now: new Date("2026-12-05T12:00:00Z") },
    ],
    signer: { privateKey: signing.privateKey, interval: 10 },
  });
}

function verify(ledger: BuiltLedger, options: { withKey?: boolean } = {}) {
  return verifyAuditLedger({
    recordFiles: ledger.recordFiles(),
    checkpointFiles: ledger.checkpointFiles(),
    headFile: ledger.headFile(),
    ...(options.withKey === false ? {} : { publicKey: signing.publicKey }),
  });
}

function editLines(ledger: BuiltLedger, path: string, edit: (lines: string[]) => string[]): void {
  const lines = ledger.files.get(path)!.split("\n").slice(0, -1);
  ledger.files.set(path, edit(lines).map((line) => `${line}\n`).join(""));
}

/** Rewrites record `sequence` and re-chains every record after it, as an attacker with push access could. */
function rewriteFrom(ledger: BuiltLedger, sequence: number, edit: (record: AuditRecord) => AuditRecord): AuditRecord[] {
  const records = ledger.recordFiles().flatMap((file) => file.text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as AuditRecord));
  const kept = records.slice(0, sequence - 1);
  const pending = records.slice(sequence - 1).map((record, index) => {
    const { sequence: _s, prev: _p, hash: _h, ...rest } = index === 0 ? edit(record) : record;
    return rest;
  });
  const last = kept[kept.length - 1];
  const rechained = [...kept, ...chainAuditRecords({ head: last ? { sequence: last.sequence, hash: last.hash } : null, pending })];

  ledger.files.set(DAY_ONE, rechained.slice(0, 12).map((record) => `${canonicalizeJson(record)}\n`).join(""));
  ledger.files.set(DAY_TWO, rechained.slice(12).map((record) => `${canonicalizeJson(record)}\n`).join(""));
  const tail = rechained[rechained.length - 1]!;
  ledger.files.set("head.json", JSON.stringify({ schemaVersion: 1, sequence: tail.sequence, hash: tail.hash, path: DAY_TWO }));
  return rechained;
}

describe("verifyAuditLedger", () => {
  it("accepts an intact ledger", () => {
    expect(verify(intactLedger())).toEqual({ problem: null, intactRecords: 25, checkpoints: 2, signaturesChecked: 2, signedThrough: 20 });
  });

  it("finds an edited field", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => lines.map((line, index) => (index === 4 ? line.replace('"amountNanos":13361667', '"amountNanos":1') : line)));

    expect(verify(ledger).problem).toEqual({ sequence: 5, kind: "altered", message: `${DAY_ONE}:5: the content does not match its hash, so a field was edited` });
  });

  it("finds a deleted line", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => lines.filter((_, index) => index !== 6));

    expect(verify(ledger).problem).toEqual({ sequence: 7, kind: "missing", message: `sequence 7 is missing before ${DAY_ONE}:7` });
  });

  it("finds two swapped lines", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => [lines[0]!, lines[1]!, lines[3]!, lines[2]!, ...lines.slice(4)]);

    expect(verify(ledger).problem).toEqual({ sequence: 3, kind: "reordered", message: `${DAY_ONE}:3 contains sequence 4 where 3 belongs, and 3 comes later at ${DAY_ONE}:4` });
  });

  it("finds a duplicated line", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => [...lines.slice(0, 5), lines[4]!, ...lines.slice(5)]);

    expect(verify(ledger).problem).toEqual({ sequence: 6, kind: "reordered", message: `${DAY_ONE}:6 contains sequence 5 again where 6 belongs` });
  });

  it("finds a file cut mid-line", () => {
    const ledger = intactLedger();
    const text = ledger.files.get(DAY_TWO)!;
    ledger.files.set(DAY_TWO, text.slice(0, text.length - 30));

    expect(verify(ledger).problem).toEqual({ sequence: 25, kind: "missing", message: `${DAY_TWO}:13 ends in the middle of a record: the file was cut short` });
  });

  it("finds whole lines cut from the end by a checkpoint", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_TWO, (lines) => lines.slice(0, 6));

    expect(verify(ledger).problem).toEqual({ sequence: 19, kind: "missing", message: "checkpoints/000000000020.json signs sequence 20, but the records end at 18" });
  });

  it("finds whole lines cut from the end by the head", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_TWO, (lines) => lines.slice(0, 10));

    expect(verify(ledger).problem).toEqual({ sequence: 23, kind: "missing", message: "head.json names sequence 25, but the records end at 22" });
  });

  it("finds a replaced record by its prev", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => {
      const record = JSON.parse(lines[3]!) as AuditRecord;
      const [forged] = chainAuditRecords({ head: { sequence: 3, hash: "e".repeat(64) }, pending: [{ ...record, deliveryId: "forged" }] });
      return lines.map((line, index) => (index === 3 ? canonicalizeJson(forged) : line));
    });

    expect(verify(ledger).problem).toEqual({ sequence: 4, kind: "altered", message: `${DAY_ONE}:4: prev is not the hash of sequence 3, so the record was replaced` });
  });

  it("finds a line that is not JSON", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => lines.map((line, index) => (index === 1 ? "{oops" : line)));

    expect(verify(ledger).problem).toEqual({ sequence: 2, kind: "altered", message: `${DAY_ONE}:2 is not valid JSON` });
  });

  it("finds a duplicate top-level key", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_ONE, (lines) => lines.map((line, index) => (index === 0 ? `{"action":"policy.denied",${line.slice(1)}` : line)));

    expect(verify(ledger).problem).toEqual({
      sequence: 1,
      kind: "altered",
      message: `${DAY_ONE}:1: duplicate key "action", so a reader that keeps the first value sees content the hash does not cover`,
    });
  });

  it("finds a duplicate nested key", () => {
    const ledger = intactLedger();
    editLines(ledger, DAY_TWO, (lines) => lines.map((line, index) => (index === 2 ? line.replace('"actor":{', '"actor":{"login":"octocat",') : line)));

    expect(verify(ledger).problem).toEqual({
      sequence: 15,
      kind: "altered",
      message: `${DAY_TWO}:3: duplicate key "login" in actor, so a reader that keeps the first value sees content the hash does not cover`,
    });
  });

  it("finds a re-chained rewrite by its checkpoint", () => {
    const ledger = intactLedger();
    rewriteFrom(ledger, 5, (record) => ({ ...record, actor: { ...record.actor, login: "someone-else" } }));

    expect(verify(ledger).problem).toEqual({
      sequence: 10,
      kind: "checkpoint",
      message: "checkpoints/000000000010.json: record 10 does not have the signed hash, so a record up to it was rewritten after signing",
    });
  });

  it("misses a rewrite after the last checkpoint", () => {
    const ledger = intactLedger();
    rewriteFrom(ledger, 23, (record) => ({ ...record, actor: { ...record.actor, login: "someone-else" } }));

    expect(verify(ledger)).toEqual({ problem: null, intactRecords: 25, checkpoints: 2, signaturesChecked: 2, signedThrough: 20 });
  });

  it("finds a forged checkpoint by its signature", () => {
    const ledger = intactLedger();
    const rechained = rewriteFrom(ledger, 5, (record) => ({ ...record, actor: { ...record.actor, login: "someone-else" } }));
    for (const sequence of [10, 20]) {
      const forged = signCheckpoint({ sequence, hash: rechained[sequence - 1]!.hash, interval: 10, time: "2026-12-05T12:00:00.000Z", privateKey: attacker.privateKey });
      ledger.files.set(`checkpoints/0000000000${sequence}.json`, JSON.stringify(forged));
    }

    expect(verify(ledger).problem?.sequence).toBe(10);
    expect(verify(ledger).problem?.kind).toBe("checkpoint");
    expect(verify(ledger).problem?.message).toMatch(/^checkpoints\/000000000010\.json: the signature does not verify with the public key [0-9a-f]{16}, so the checkpoint was forged or edited$/);
  });

  it("trusts forged checkpoints without a public key", () => {
    const ledger = intactLedger();
    const rechained = rewriteFrom(ledger, 5, (record) => ({ ...record, actor: { ...record.actor, login: "someone-else" } }));
    for (const sequence of [10, 20]) {
      const forged = signCheckpoint({ sequence, hash: rechained[sequence - 1]!.hash, interval: 10, time: "2026-12-05T12:00:00.000Z", privateKey: attacker.privateKey });
      ledger.files.set(`checkpoints/0000000000${sequence}.json`, JSON.stringify(forged));
    }

    expect(verify(ledger, { withKey: false })).toEqual({ problem: null, intactRecords: 25, checkpoints: 2, signaturesChecked: 0, signedThrough: 20 });
  });

  it("finds an edited checkpoint", () => {
    const ledger = intactLedger();
    const path = "checkpoints/000000000020.json";
    const checkpoint = JSON.parse(ledger.files.get(path)!) as Record<string, unknown>;
    ledger.files.set(path, JSON.stringify({ ...checkpoint, time: "2027-01-01T00:00:00.000Z" }));

    expect(verify(ledger).problem?.sequence).toBe(20);
    expect(verify(ledger).problem?.kind).toBe("checkpoint");
  });

  it("finds a duplicate key in a checkpoint", () => {
    const ledger = intactLedger();
    const path = "checkpoints/000000000010.json";
    ledger.files.set(path, `{"sequence":20,${ledger.files.get(path)!.slice(1)}`);

    expect(verify(ledger).problem).toEqual({
      sequence: 10,
      kind: "checkpoint",
      message: `${path}: duplicate key "sequence", so a reader that keeps the first value sees content the signature does not cover`,
    });
  });

  it("finds a duplicate key in the head", () => {
    const ledger = intactLedger();
    ledger.files.set("head.json", `{"sequence":3,${ledger.files.get("head.json")!.slice(1)}`);

    expect(verify(ledger).problem).toEqual({
      sequence: 25,
      kind: "altered",
      message: 'head.json: duplicate key "sequence", so a reader that keeps the first value sees another chain end',
    });
  });

  it("finds a deleted checkpoint", () => {
    const ledger = intactLedger();
    ledger.files.delete("checkpoints/000000000010.json");

    expect(verify(ledger).problem).toEqual({ sequence: 10, kind: "checkpoint", message: "the checkpoint for sequence 10 is missing (interval 10)" });
  });

  it("reports the lowest sequence of several problems", () => {
    const ledger = intactLedger();
    ledger.files.delete("checkpoints/000000000010.json");
    editLines(ledger, DAY_ONE, (lines) => lines.map((line, index) => (index === 2 ? line.replace('"pullRequest":12', '"pullRequest":13') : line)));

    expect(verify(ledger).problem?.sequence).toBe(3);
    expect(verify(ledger).problem?.kind).toBe("altered");
  });

  it("accepts an empty ledger", () => {
    expect(verifyAuditLedger({ recordFiles: [], checkpointFiles: [], headFile: null })).toEqual({ problem: null, intactRecords: 0, checkpoints: 0, signaturesChecked: 0, signedThrough: 0 });
  });

  it("counts no signature without checkpoints", () => {
    const ledger = buildLedger({ batches: [{ count: 5, now: new Date("2026-12-04T12:00:00Z") }] });

    expect(verify(ledger)).toEqual({ problem: null, intactRecords: 5, checkpoints: 0, signaturesChecked: 0, signedThrough: 0 });
  });

  it("finds a missing head", () => {
    const ledger = intactLedger();
    ledger.files.delete("head.json");

    expect(verify(ledger).problem).toEqual({ sequence: 26, kind: "missing", message: "head.json is missing, so records after sequence 25 may have been removed with it. Compare with an earlier head.json from `git log -p -- head.json` or another clone" });
  });

  it("finds a cut tail without its head", () => {
    const ledger = intactLedger();
    for (const path of [DAY_TWO, "head.json", "checkpoints/000000000020.json"]) ledger.files.delete(path);

    expect(verify(ledger)).toEqual({
      problem: { sequence: 13, kind: "missing", message: "head.json is missing, so records after sequence 12 may have been removed with it. Compare with an earlier head.json from `git log -p -- head.json` or another clone" },
      intactRecords: 12,
      checkpoints: 1,
      signaturesChecked: 1,
      signedThrough: 10,
    });
  });

  it("finds a head that names another file", () => {
    const ledger = intactLedger();
    const head = JSON.parse(ledger.files.get("head.json")!) as Record<string, unknown>;
    ledger.files.set("head.json", JSON.stringify({ ...head, path: DAY_ONE }));

    expect(verify(ledger).problem).toEqual({ sequence: 25, kind: "altered", message: `head.json names the file ${DAY_ONE}, but sequence 25 is in ${DAY_TWO}` });
  });

  it("finds a head without records", () => {
    const ledger = intactLedger();
    for (const path of [DAY_ONE, DAY_TWO, "checkpoints/000000000010.json", "checkpoints/000000000020.json"]) ledger.files.delete(path);

    expect(verify(ledger).problem).toEqual({ sequence: 1, kind: "missing", message: "head.json names sequence 25, but the records end at 0" });
  });
});
