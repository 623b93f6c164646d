import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildExampleAuditLedger, EXAMPLE_LEDGER_DIRECTORY, EXAMPLE_PUBLIC_KEY_PATH } from "../../scripts/build-example-audit-ledger.ts";
import { runCli } from "../cli/cli-harness.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");

function listFiles(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(directory.length + 1))
    .sort();
}

/** Parses a checkpoint without the fields that change with the signing key. */
function withoutSignature(text: string): unknown {
  const { keyId: _keyId, signature: _signature, ...rest } = JSON.parse(text) as Record<string, unknown>;
  return rest;
}

describe("example audit ledger", () => {
  it("verifies with its public key", async () => {
    const run = await runCli(["audit", "verify", EXAMPLE_LEDGER_DIRECTORY, "--public-key", EXAMPLE_PUBLIC_KEY_PATH], { cwd: root });

    expect(run).toEqual({ code: 0, stdout: "Audit chain holds: 10 records, 2 checkpoints, signatures verified. Records 9-10 follow the last checkpoint and are not signed.\n", stderr: "" });
  });

  it("prints the documented query", async () => {
    const run = await runCli(["audit", "query", EXAMPLE_LEDGER_DIRECTORY, "--action", "environment.torn_down"], { cwd: root });

    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(
      [
        "SEQ  TIME                      ACTION                 ACTOR                   AGENT    REPOSITORY         COST",
        "  9  2026-12-05T09:20:00.000Z  environment.torn_down  copilot-swe-agent[bot]  copilot  acme/web#12  0.0527 USD",
        " 10  2026-12-05T09:25:00.000Z  environment.torn_down  octocat                          acme/api#8   0.0014 USD",
        "2 matching records",
        "",
        "AGENT    RECORDS        COST",
        "(none)         1  0.0014 USD",
        "copilot        1  0.0527 USD",
        "",
        "ACTOR                   RECORDS        COST",
        "copilot-swe-agent[bot]        1  0.0527 USD",
        "octocat                       1  0.0014 USD",
        "",
        "REPOSITORY  RECORDS        COST",
        "acme/api          1  0.0014 USD",
        "acme/web          1  0.0527 USD",
        "",
      ].join("\n"),
    );
  });

  it("matches what the script builds", () => {
    const built = buildExampleAuditLedger(generateKeyPairSync("ed25519").privateKey);
    const directory = join(root, EXAMPLE_LEDGER_DIRECTORY);

    expect(listFiles(directory)).toEqual([...built.keys()].sort());
    for (const [path, content] of built) {
      const committed = readFileSync(join(directory, path), "utf8");
      if (path.startsWith("checkpoints/")) expect(withoutSignature(committed), path).toEqual(withoutSignature(content));
      else expect(committed, path).toBe(content);
    }
  });

  describe("copied and damaged", () => {
    let copy: string;

    beforeEach(() => {
      copy = mkdtempSync(join(tmpdir(), "paddock-example-ledger-"));
      cpSync(join(root, EXAMPLE_LEDGER_DIRECTORY), join(copy, "ledger"), { recursive: true });
    });
    afterEach(() => {
      rmSync(copy, { recursive: true, force: true });
    });

    it("fails without head.json", async () => {
      rmSync(join(copy, "ledger/head.json"));

      const run = await runCli(["audit", "verify", join(copy, "ledger"), "--public-key", EXAMPLE_PUBLIC_KEY_PATH], { cwd: root });

      expect(run).toEqual({
        code: 1,
        stdout:
          "Audit chain broken at sequence 11 (missing): head.json is missing, so records after sequence 10 may have been removed with it. Compare with an earlier head.json from `git log -p -- head.json` or another clone\n",
        stderr: "",
      });
    });
  });
});
