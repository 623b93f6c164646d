import { execFileSync } from "node:child_process";
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample } from "../support/webhook-examples.ts";
import { runCli } from "./cli-harness.ts";

const STATE_DIR_FLAG_HINT = "pass a folder Paddock can create and write, or leave the flag out for PADDOCK_STATE_DIR or .paddock in the working folder";
const STATE_DIR_ENV_HINT = "set it to a folder Paddock can create and write, or leave it empty for .paddock in the working folder";

function writePayload(): string {
  const directory = mkdtempSync(join(tmpdir(), "paddock-run-"));
  writeFileSync(join(directory, "event.json"), JSON.stringify(loadWebhookExample({ name: "pull_request", action: "opened" })));
  return directory;
}

function runArgs(repositoryDir: string, ...extra: string[]): string[] {
  return ["run", "--event", "pull_request", "--payload", "event.json", "--repo", repositoryDir, "--ref", "HEAD", ...extra];
}

describe("paddock run file limits", () => {
  it("rejects a config over 1 MiB", async () => {
    const cwd = writePayload();
    writeFileSync(join(cwd, "big.yml"), "");
    truncateSync(join(cwd, "big.yml"), 300 * 1024 * 1024);

    const result = await runCli(runArgs(createSampleRepository().directory, "--config", "big.yml"), { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("paddock: --config big.yml file is 314572800 bytes, over the limit of 1048576 bytes. pass a regular file of at most 1048576 bytes\n");
  });

  it("rejects a FIFO payload without blocking", { timeout: 10_000 }, async () => {
    const cwd = mkdtempSync(join(tmpdir(), "paddock-run-"));
    execFileSync("mkfifo", [join(cwd, "event.json")]);

    const result = await runCli(runArgs(createSampleRepository().directory), { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("paddock: --payload event.json is a FIFO (named pipe), not a regular file. pass a regular file of at most 26214400 bytes\n");
  });
});

describe("paddock run state folder", () => {
  it("rejects --state-dir under /proc", { timeout: 10_000 }, async () => {
    const cwd = writePayload();

    const result = await runCli(runArgs(createSampleRepository().directory, "--state-dir", "/proc/foo"), { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --state-dir /proc/foo is invalid: /proc is a kernel file system, where nothing can be stored. ${STATE_DIR_FLAG_HINT}\n`);
  });

  it("rejects --state-dir under /sys", { timeout: 10_000 }, async () => {
    const cwd = writePayload();

    const result = await runCli(runArgs(createSampleRepository().directory, "--state-dir", "/sys/foo"), { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --state-dir /sys/foo is invalid: /sys is a kernel file system, where nothing can be stored. ${STATE_DIR_FLAG_HINT}\n`);
  });

  it("rejects PADDOCK_STATE_DIR under /proc", { timeout: 10_000 }, async () => {
    const cwd = writePayload();

    const result = await runCli(runArgs(createSampleRepository().directory), { cwd, env: { PADDOCK_STATE_DIR: "/proc/foo" } });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: PADDOCK_STATE_DIR=/proc/foo is invalid: /proc is a kernel file system, where nothing can be stored. ${STATE_DIR_ENV_HINT}\n`);
  });

  it("rejects --state-dir naming a file", async () => {
    const cwd = writePayload();

    const result = await runCli(runArgs(createSampleRepository().directory, "--state-dir", "event.json"), { cwd });

    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`paddock: --state-dir event.json is not a folder. ${STATE_DIR_FLAG_HINT}\n`);
  });
});
