import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../cli/cli-harness.ts";
import { buildLedger } from "./support/build-ledger.ts";
import { QUERY_INPUTS } from "./support/audit-fixtures.ts";

const signing = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

describe("paddock audit verify", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "paddock-audit-cli-"));
    buildLedger({ batches: [{ count: 12, now: new Date("2026-12-04T12:00:00Z") }], signer: { privateKey: signing.privateKey, interval: 5 } }).writeCheckout(join(directory, "ledger"));
    writeFileSync(join(directory, "audit.pub"), signing.publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(join(directory, "other.pub"), other.publicKey.export({ type: "spki", format: "pem" }));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("exits 0 on an intact chain", async () => {
    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 12 records, 2 checkpoints, signatures not checked: pass --public-key FILE to check them. Records 11-12 follow the last checkpoint and are not signed.\n", stderr: "" });
  });

  it("checks signatures with a public key", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--public-key", "audit.pub"], { cwd: directory });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("Audit chain holds: 12 records, 2 checkpoints, signatures verified. Records 11-12 follow the last checkpoint and are not signed.\n");
  });

  it.each([
    [10, "Audit chain holds: 10 records, 2 checkpoints, signatures verified.\n"],
    [11, "Audit chain holds: 11 records, 2 checkpoints, signatures verified. Record 11 follows the last checkpoint and is not signed.\n"],
  ])("names unsigned records among %i", async (count, stdout) => {
    buildLedger({ batches: [{ count, now: new Date("2026-12-04T12:00:00Z") }], signer: { privateKey: signing.privateKey, interval: 5 } }).writeCheckout(join(directory, "sized"));

    const run = await runCli(["audit", "verify", "sized", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({ code: 0, stdout, stderr: "" });
  });

  it("says one record without checkpoints is unsigned", async () => {
    buildLedger({ batches: [{ count: 1, now: new Date("2026-12-04T12:00:00Z") }] }).writeCheckout(join(directory, "single"));

    const run = await runCli(["audit", "verify", "single"], { cwd: directory });

    expect(run).toEqual({
      code: 0,
      stdout: "Audit chain holds: 1 records, 0 checkpoints, signatures not checked: pass --public-key FILE to check them. Record 1 is not signed, because no checkpoint covers it.\n",
      stderr: "",
    });
  });

  it("exits 1 with another public key", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--public-key", "other.pub"], { cwd: directory });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Audit chain broken at sequence 5 \(checkpoint\): checkpoints\/000000000005\.json: the signature does not verify/);
  });

  it("exits 1 naming an edited record", async () => {
    const path = join(directory, "ledger/records/2026/12/04.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[7] = lines[7]!.replace('"login":"copilot-swe-agent[bot]"', '"login":"octocat"');
    writeFileSync(path, lines.join("\n"));

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "Audit chain broken at sequence 8 (altered): records/2026/12/04.jsonl:8: the content does not match its hash, so a field was edited\n",
      stderr: "",
    });
  });

  it("exits 1 naming a duplicate key", async () => {
    const path = join(directory, "ledger/records/2026/12/04.jsonl");
    writeFileSync(path, `{"action":"policy.denied",${readFileSync(path, "utf8").slice(1)}`);

    const run = await runCli(["audit", "verify", "ledger", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: 'Audit chain broken at sequence 1 (altered): records/2026/12/04.jsonl:1: duplicate key "action", so a reader that keeps the first value sees content the hash does not cover\n',
      stderr: "",
    });
  });

  it("prints JSON with --json", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--json"], { cwd: directory });

    expect(JSON.parse(run.stdout)).toEqual({ problem: null, intactRecords: 12, checkpoints: 2, signaturesChecked: 0, signedThrough: 10 });
  });

  it("exits 2 for an empty folder", async () => {
    mkdirSync(join(directory, "empty"));

    const run = await runCli(["audit", "verify", "empty", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: `paddock: ${join(directory, "empty")} is not an audit ledger: it has no head.json, no records/YYYY/MM/DD.jsonl files and no checkpoints/. pass the path of a checkout of the audit repository after Paddock has appended its first records\n`,
    });
  });

  it("exits 2 for a folder of other files", async () => {
    mkdirSync(join(directory, "project/src"), { recursive: true });
    writeFileSync(join(directory, "project/src/a.ts"), "x\n");
    mkdirSync(join(directory, "project/records"));
    writeFileSync(join(directory, "project/records/notes.txt"), "x\n");

    const run = await runCli(["audit", "verify", "project"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `paddock: ${join(directory, "project")} is not an audit ledger: it has no head.json, no records/YYYY/MM/DD.jsonl files and no checkpoints/. pass the path of a checkout of the audit repository after Paddock has appended its first records\n`,
    );
  });

  it("says no signature was checked without checkpoints", async () => {
    buildLedger({ batches: [{ count: 4, now: new Date("2026-12-04T12:00:00Z") }] }).writeCheckout(join(directory, "unsigned"));

    const run = await runCli(["audit", "verify", "unsigned", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 4 records, 0 checkpoints, no signature checked: the ledger has no checkpoints. Records 1-4 are not signed, because no checkpoint covers them.\n", stderr: "" });
  });

  it("exits 1 without head.json", async () => {
    rmSync(join(directory, "ledger/head.json"));

    const run = await runCli(["audit", "verify", "ledger", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "Audit chain broken at sequence 13 (missing): head.json is missing, so records after sequence 12 may have been removed with it. Compare with an earlier head.json from `git log -p -- head.json` or another clone\n",
      stderr: "",
    });
  });

  it("exits 1 for a tail cut with its head", async () => {
    buildLedger({
      batches: [
        { count: 5, now: new Date("2026-12-04T12:00:00Z") },
        { count: 4, now: new Date("2026-12-05T12:00:00Z") },
      ],
      signer: { privateKey: signing.privateKey, interval: 3 },
    }).writeCheckout(join(directory, "two-days"));
    for (const path of ["records/2026/12/05.jsonl", "head.json", "checkpoints/000000000006.json", "checkpoints/000000000009.json"]) rmSync(join(directory, "two-days", path));

    const run = await runCli(["audit", "verify", "two-days", "--public-key", "audit.pub"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "Audit chain broken at sequence 6 (missing): head.json is missing, so records after sequence 5 may have been removed with it. Compare with an earlier head.json from `git log -p -- head.json` or another clone\n",
      stderr: "",
    });
  });

  it("exits 2 for a missing folder", async () => {
    const run = await runCli(["audit", "verify", "nowhere"], { cwd: directory });

    expect(run).toEqual({ code: 2, stdout: "", stderr: `paddock: ${join(directory, "nowhere")} not found. pass the path of a checkout of the audit repository\n` });
  });

  it("exits 2 for a file in place of a folder", async () => {
    const run = await runCli(["audit", "verify", "audit.pub"], { cwd: directory });

    expect(run).toEqual({ code: 2, stdout: "", stderr: `paddock: ${join(directory, "audit.pub")} is not a directory. pass the path of a checkout of the audit repository\n` });
  });

  it("exits 2 for a key that is not PEM", async () => {
    writeFileSync(join(directory, "bad.pub"), "not a key");

    const run = await runCli(["audit", "verify", "ledger", "--public-key", "bad.pub"], { cwd: directory });

    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "paddock: --public-key bad.pub: the checkpoint public key is not a readable PEM key. make one with `openssl genpkey -algorithm ed25519 -out audit-signing.pem` and its public half with `openssl pkey -in audit-signing.pem -pubout`\n",
    });
  });

  it("exits 2 for a missing key file", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--public-key", "missing.pub"], { cwd: directory });

    expect(run).toEqual({ code: 2, stdout: "", stderr: "paddock: --public-key missing.pub: file not found. pass the path of an existing file\n" });
  });
});

describe("paddock audit query", () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "paddock-audit-cli-"));
    buildLedger({ batches: [{ count: QUERY_INPUTS.length, now: new Date("2026-12-04T15:00:00Z") }], input: (index) => QUERY_INPUTS[index]! }).writeCheckout(directory);
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("prints aligned tables for people", async () => {
    const run = await runCli(["audit", "query", ".", "--repository", "acme/api"], { cwd: directory });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "SEQ  TIME                      ACTION         ACTOR    AGENT  REPOSITORY           COST",
        "  4  2026-12-04T12:00:00.000Z  step.finished  octocat         acme/api#12    0.0134 USD",
        "  5  2026-12-04T13:00:00.000Z  step.finished  octocat         acme/api#12  < 0.0001 EUR",
        "2 matching records",
        "",
        "AGENT   RECORDS                       COST",
        "(none)        2  < 0.0001 EUR + 0.0134 USD",
        "",
        "ACTOR    RECORDS                       COST",
        "octocat        2  < 0.0001 EUR + 0.0134 USD",
        "",
        "REPOSITORY  RECORDS                       COST",
        "acme/api          2  < 0.0001 EUR + 0.0134 USD",
        "",
      ].join("\n"),
    );
  });

  it("prints JSON for machines", async () => {
    const run = await runCli(["audit", "query", ".", "--agent", "copilot", "--since", "2026-12-04T10:00:00Z", "--json"], { cwd: directory });
    const output = JSON.parse(run.stdout) as { records: Array<{ sequence: number }>; totals: { byAgent: unknown[] } };

    expect(output.records.map((record) => record.sequence)).toEqual([2, 3]);
    expect(output.totals.byAgent).toEqual([{ key: "copilot", records: 2, costs: [{ currency: "USD", amountNanos: 17_408_250 }] }]);
  });

  it.each(["acme", "acme/", "/web", "acme/web/extra", "acme web/x"])("rejects --repository %j", async (value) => {
    const run = await runCli(["audit", "query", ".", "--repository", value], { cwd: directory });

    expect(run).toEqual({ code: 2, stdout: "", stderr: `paddock: --repository ${value} is not in the form owner/name. pass the owner and the repository name, such as acme/web\n` });
  });

  it("rejects an unknown action", async () => {
    const run = await runCli(["audit", "query", ".", "--action", "deleted"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--action deleted is not an audit action");
  });

  it.each([
    ["--until", "yesterday"],
    ["--since", "5"],
    ["--since", "December 5, 2026"],
    ["--since", "2026-12-05 09:10"],
    ["--since", "2026-12-05T09:10"],
    ["--since", "2026-02-30"],
    ["--until", "2026-12-05T24:00:00Z"],
    ["--until", "2026-12-05T09:10:00+25:00"],
  ])("rejects %s %j", async (flag, value) => {
    const run = await runCli(["audit", "query", ".", flag, value], { cwd: directory });

    expect(run).toEqual({ code: 2, stdout: "", stderr: `paddock: ${flag} ${value} is not a valid time. pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC\n` });
  });

  it("escapes control characters in a rejected time", async () => {
    const run = await runCli(["audit", "query", ".", "--since", "2026\u0000"], { cwd: directory });

    expect(run.stderr).toBe("paddock: --since 2026\\u0000 is not a valid time. pass an ISO 8601 time with a time zone such as 2026-01-31T12:00:00Z, or a date such as 2026-01-31, which means 00:00 UTC\n");
  });

  it("reads a plain date as 00:00 UTC", async () => {
    const run = await runCli(["audit", "query", ".", "--since", "2026-12-04", "--until", "2026-12-04T10:30:00+01:00", "--json"], { cwd: directory });
    const output = JSON.parse(run.stdout) as { records: Array<{ sequence: number }> };

    expect(run.code).toBe(0);
    expect(output.records.map((record) => record.sequence)).toEqual([1]);
  });

  it("rejects --since after --until", async () => {
    const run = await runCli(["audit", "query", ".", "--since", "2026-12-05", "--until", "2026-12-04T23:59:59Z"], { cwd: directory });

    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "paddock: --since 2026-12-05 is later than --until 2026-12-04T23:59:59Z. pass a --since time at or before the --until time\n",
    });
  });

  it("keeps --since digits below a millisecond", async () => {
    const atRecord = await runCli(["audit", "query", ".", "--since", "2026-12-04T10:00:00Z", "--until", "2026-12-04T11:00:00Z", "--json"], { cwd: directory });
    const afterRecord = await runCli(["audit", "query", ".", "--since", "2026-12-04T10:00:00.000000001Z", "--until", "2026-12-04T11:00:00Z", "--json"], { cwd: directory });

    expect((JSON.parse(atRecord.stdout) as { records: Array<{ sequence: number }> }).records.map((record) => record.sequence)).toEqual([2]);
    expect((JSON.parse(afterRecord.stdout) as { records: unknown[] }).records).toEqual([]);
  });

  it("rejects --since after --until below a millisecond", async () => {
    const run = await runCli(["audit", "query", ".", "--since", "2026-12-05T09:10:00.0000005Z", "--until", "2026-12-05T09:10:00.0000004Z"], { cwd: directory });

    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: "paddock: --since 2026-12-05T09:10:00.0000005Z is later than --until 2026-12-05T09:10:00.0000004Z. pass a --since time at or before the --until time\n",
    });
  });

  it("exits 1 on a duplicated record", async () => {
    const path = join(directory, "records/2026/12/04.jsonl");
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    writeFileSync(path, [...lines, lines[2]!, ""].join("\n"));

    const run = await runCli(["audit", "query", "."], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `paddock: audit chain broken at sequence 7 (reordered): records/2026/12/04.jsonl:7 contains sequence 3 again where 7 belongs. totals of a broken chain may count duplicated or edited records, so nothing was queried. run paddock audit verify . for details, or pass --unverified to query it anyway\n`,
    });
  });

  it("exits 1 on an edited record", async () => {
    const path = join(directory, "records/2026/12/04.jsonl");
    writeFileSync(path, readFileSync(path, "utf8").replace('"fullName":"acme/web"', '"fullName":"acme/wab"'));

    const run = await runCli(["audit", "query", ".", "--repository", "acme/wab"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `paddock: audit chain broken at sequence 1 (altered): records/2026/12/04.jsonl:1: the content does not match its hash, so a field was edited. totals of a broken chain may count duplicated or edited records, so nothing was queried. run paddock audit verify . for details, or pass --unverified to query it anyway\n`,
    });
  });

  it("exits 1 on a duplicate key", async () => {
    const path = join(directory, "records/2026/12/04.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = `{"action":"policy.denied",${lines[1]!.slice(1)}`;
    writeFileSync(path, lines.join("\n"));

    const run = await runCli(["audit", "query", ".", "--action", "policy.denied"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: `paddock: audit chain broken at sequence 2 (altered): records/2026/12/04.jsonl:2: duplicate key "action", so a reader that keeps the first value sees content the hash does not cover. totals of a broken chain may count duplicated or edited records, so nothing was queried. run paddock audit verify . for details, or pass --unverified to query it anyway\n`,
    });
  });

  it("queries a broken chain with --unverified", async () => {
    const path = join(directory, "records/2026/12/04.jsonl");
    writeFileSync(path, readFileSync(path, "utf8").replace('"fullName":"acme/web"', '"fullName":"acme/wab"'));

    const run = await runCli(["audit", "query", ".", "--repository", "acme/wab", "--unverified", "--json"], { cwd: directory });
    const output = JSON.parse(run.stdout) as { records: Array<{ sequence: number }> };

    expect(run.code).toBe(0);
    expect(output.records.map((record) => record.sequence)).toEqual([1]);
    expect(run.stderr).toBe(
      "paddock: warning: audit chain broken at sequence 1 (altered): records/2026/12/04.jsonl:1: the content does not match its hash, so a field was edited. the totals below may count duplicated or edited records\n",
    );
  });

  it("exits 2 for an empty folder", async () => {
    mkdirSync(join(directory, "empty"));

    const run = await runCli(["audit", "query", "empty"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`paddock: ${join(directory, "empty")} is not an audit ledger`);
  });

  it("rejects an unknown subcommand", async () => {
    const run = await runCli(["audit", "export"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown audit subcommand "export"');
  });
});
