import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { prepareStateDir } from "../../src/service/prepare-state-dir.ts";

const HINT = "set it to a folder Paddock can create and write, or leave it empty for .paddock in the working folder";

describe("prepareStateDir", () => {
  let cwd: string;

  beforeEach(() => {
    cwd = mkdtempSync(join(tmpdir(), "paddock-state-dir-"));
  });
  afterEach(() => {
    rmSync(cwd, { recursive: true, force: true });
  });

  async function messageOf(value: string): Promise<string> {
    const error = await prepareStateDir({ PADDOCK_STATE_DIR: value }, cwd).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    if (!(error instanceof Error)) throw new Error(`expected PADDOCK_STATE_DIR=${value} to be rejected`);
    return error.message;
  }

  it("creates .paddock when unset or empty", async () => {
    for (const env of [{}, { PADDOCK_STATE_DIR: "" }]) {
      expect(await prepareStateDir(env, cwd)).toBe(join(cwd, ".paddock"));
      expect(statSync(join(cwd, ".paddock")).isDirectory()).toBe(true);
    }
  });

  it("creates a nested relative folder", async () => {
    expect(await prepareStateDir({ PADDOCK_STATE_DIR: "state/app" }, cwd)).toBe(join(cwd, "state/app"));
    expect(statSync(join(cwd, "state/app")).isDirectory()).toBe(true);
  });

  it("rejects kernel file systems", async () => {
    expect(await messageOf("/proc/nope")).toBe(`PADDOCK_STATE_DIR=/proc/nope is invalid: /proc is a kernel file system, where nothing can be stored. ${HINT}`);
    expect(await messageOf("/sys/nope")).toBe(`PADDOCK_STATE_DIR=/sys/nope is invalid: /sys is a kernel file system, where nothing can be stored. ${HINT}`);
    expect(await messageOf("/proc")).toBe(`PADDOCK_STATE_DIR=/proc is invalid: /proc is a kernel file system, where nothing can be stored. ${HINT}`);
  });

  it("rejects a link into /proc", async () => {
    symlinkSync("/proc/self", join(cwd, "link"));

    expect(await messageOf("link/state")).toBe(`PADDOCK_STATE_DIR=link/state is invalid: /proc is a kernel file system, where nothing can be stored. ${HINT}`);
  });

  it("rejects a file", async () => {
    writeFileSync(join(cwd, "file"), "");

    expect(await messageOf(join(cwd, "file"))).toBe(`PADDOCK_STATE_DIR=${join(cwd, "file")} is not a folder. ${HINT}`);
  });

  it("names a path under a file", async () => {
    writeFileSync(join(cwd, "file"), "");
    const path = join(cwd, "file", "state");

    expect(await messageOf(path)).toBe(`PADDOCK_STATE_DIR=${path} could not be created (ENOTDIR: not a directory, mkdir '${path}'). ${HINT}`);
  });
});
