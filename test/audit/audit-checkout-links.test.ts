import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../cli/cli-harness.ts";
import { buildLedger } from "./support/build-ledger.ts";

const LINK_HINT = "a clone of the audit repository has none, so verify a fresh clone";

/** An unsigned checkout of two day files, and a copy of its files outside it for links to point at. */
let directory: string;
let ledger: string;
let outside: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), "paddock-audit-links-"));
  ledger = join(directory, "ledger");
  outside = join(directory, "outside");
  const built = buildLedger({
    batches: [
      { count: 5, now: new Date("2026-12-04T12:00:00Z") },
      { count: 5, now: new Date("2026-12-05T12:00:00Z") },
    ],
  });
  built.writeCheckout(ledger);
  built.writeCheckout(outside);
});
afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function replaceWithLink(path: string): void {
  rmSync(join(ledger, path), { recursive: true });
  symlinkSync(join(outside, path), join(ledger, path));
}

function linkMessage(path: string): string {
  return `paddock: ${path} in ${ledger} is a symbolic link, and symbolic links are not accepted in a ledger checkout. ${LINK_HINT}\n`;
}

describe("audit verify symbolic links", () => {
  it("rejects a linked day file", async () => {
    replaceWithLink("records/2026/12/04.jsonl");

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("records/2026/12/04.jsonl") });
  });

  it("rejects a linked month folder", async () => {
    replaceWithLink("records/2026/12");

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("records/2026/12") });
  });

  it("rejects a linked records folder", async () => {
    replaceWithLink("records");

    const run = await runCli(["audit", "verify", "ledger", "--json"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("records") });
  });

  it("rejects a linked head.json", async () => {
    replaceWithLink("head.json");

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("head.json") });
  });

  it("rejects a linked checkpoint", async () => {
    const signed = buildLedger({ batches: [{ count: 5, now: new Date("2026-12-04T12:00:00Z") }], signer: { privateKey: generateSigningKey(), interval: 5 } });
    rmSync(ledger, { recursive: true });
    signed.writeCheckout(ledger);
    mkdirSync(join(outside, "checkpoints"), { recursive: true });
    renameSync(join(ledger, "checkpoints/000000000005.json"), join(outside, "checkpoints/000000000005.json"));
    symlinkSync(join(outside, "checkpoints/000000000005.json"), join(ledger, "checkpoints/000000000005.json"));

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("checkpoints/000000000005.json") });
  });

  it("counts further links", async () => {
    replaceWithLink("records/2026/12/04.jsonl");
    replaceWithLink("records/2026/12/05.jsonl");

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`paddock: records/2026/12/04.jsonl (and 1 more) in ${ledger} is a symbolic link, and symbolic links are not accepted in a ledger checkout. ${LINK_HINT}\n`);
  });

  it("ignores links outside the ledger folders", async () => {
    symlinkSync(join(outside, "head.json"), join(ledger, "README.md"));

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 10 records, 0 checkpoints, signatures not checked: pass --public-key FILE to check them. Records 1-10 are not signed, because no checkpoint covers them.\n", stderr: "" });
  });

  it("rejects links in audit query", async () => {
    replaceWithLink("records/2026/12/05.jsonl");

    const run = await runCli(["audit", "query", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 1, stdout: "", stderr: linkMessage("records/2026/12/05.jsonl") });
  });
});

describe("audit verify line endings", () => {
  it("accepts CRLF line endings", async () => {
    for (const day of ["04", "05"]) {
      const path = join(ledger, `records/2026/12/${day}.jsonl`);
      writeFileSync(path, readFileSync(path, "utf8").replaceAll("\n", "\r\n"));
    }

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 10 records, 0 checkpoints, signatures not checked: pass --public-key FILE to check them. Records 1-10 are not signed, because no checkpoint covers them.\n", stderr: "" });
  });

  it("still finds an edit under CRLF", async () => {
    const path = join(ledger, "records/2026/12/05.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = lines[1]!.replace('"login":"copilot-swe-agent[bot]"', '"login":"octocat"');
    writeFileSync(path, lines.join("\r\n"));

    const run = await runCli(["audit", "verify", "ledger"], { cwd: directory });

    expect(run).toEqual({
      code: 1,
      stdout: "Audit chain broken at sequence 7 (altered): records/2026/12/05.jsonl:2: the content does not match its hash, so a field was edited\n",
      stderr: "",
    });
  });
});

function generateSigningKey(): KeyObject {
  return generateKeyPairSync("ed25519").privateKey;
}
