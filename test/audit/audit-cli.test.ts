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

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 12 records, 2 checkpoints, signatures not checked: pass --public-key FILE to check them.\n", stderr: "" });
  });

  it("checks signatures with a public key", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--public-key", "audit.pub"], { cwd: directory });

    expect(run.code).toBe(0);
    expect(run.stdout).toBe("Audit chain holds: 12 records, 2 checkpoints, signatures verified.\n");
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

  it("prints JSON with --json", async () => {
    const run = await runCli(["audit", "verify", "ledger", "--json"], { cwd: directory });

    expect(JSON.parse(run.stdout)).toEqual({ problem: null, intactRecords: 12, checkpoints: 2, signaturesChecked: 0 });
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

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 4 records, 0 checkpoints, no signature checked: the ledger has no checkpoints.\n", stderr: "" });
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

    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`paddock: ${join(directory, "nowhere")} is not a directory. pass the path of a checkout of the audit repository\n`);
  });

  it("exits 2 for a key that is not PEM", async () => {
    writeFileSync(join(directory, "bad.pub"), "not a key");

    const run = await runCli(["audit", "verify", "ledger", "--public-key", "bad.pub"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("the checkpoint public key is not a readable PEM key");
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
        "SEQ  TIME                      ACTION         ACTOR    AGENT  REPOSITORY         COST",
        "  4  2026-12-04T12:00:00.000Z  step.finished  octocat         acme/api#12  0.0134 USD",
        "  5  2026-12-04T13:00:00.000Z  step.finished  octocat         acme/api#12  0.0001 EUR",
        "2 matching records",
        "",
        "AGENT   RECORDS                     COST",
        "(none)        2  0.0001 EUR + 0.0134 USD",
        "",
        "ACTOR    RECORDS                     COST",
        "octocat        2  0.0001 EUR + 0.0134 USD",
        "",
        "REPOSITORY  RECORDS                     COST",
        "acme/api          2  0.0001 EUR + 0.0134 USD",
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

  it("rejects an unknown action", async () => {
    const run = await runCli(["audit", "query", ".", "--action", "deleted"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--action deleted is not an audit action");
  });

  it("rejects an invalid time", async () => {
    const run = await runCli(["audit", "query", ".", "--until", "yesterday"], { cwd: directory });

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--until yesterday is not a valid time");
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
