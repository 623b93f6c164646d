import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { assertParentDeathProgram, killGroupWithParent, killWithParent } from "../../../src/providers/local/parent-death.ts";

/** Returns the pids of the processes in process group `pgid`, read from /proc. */
function processesInGroup(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        // Fields after the command: state, ppid, pgrp. A zombie is already dead.
        return fields[0] !== "Z" && Number(fields[2]) === pgid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function waitForEmptyGroup(pgid: number): Promise<number[]> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const left = processesInGroup(pgid);
    if (left.length === 0) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return processesInGroup(pgid);
}

/**
 * Starts a Node process that spawns `argv` in a process group of its own and prints that
 * group's id, then kills the Node process with SIGKILL and returns the group id.
 */
async function killParentOf(argv: string[]): Promise<number> {
  const script = `const c = require("node:child_process").spawn(process.argv[1], process.argv.slice(2), { detached: true, stdio: "ignore" }); console.log(c.pid); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ["-e", script, ...argv], { stdio: ["ignore", "pipe", "inherit"] });
  const pgid = await new Promise<number>((resolve) => parent.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  // Both sleeps must run before the parent dies, or the test would pass without the guard.
  const sleeps = () => processesInGroup(pgid).filter((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep").length;
  for (let attempt = 0; attempt < 100 && sleeps() < 2; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(sleeps()).toBe(2);

  parent.kill("SIGKILL");
  await new Promise((resolve) => parent.once("exit", resolve));
  return pgid;
}

describe("killGroupWithParent", () => {
  it("kills the whole group when the parent is killed", async () => {
    const pgid = await killParentOf(killGroupWithParent(["/bin/sh", "-c", "sleep 300 & sleep 300"]));
    const left = await waitForEmptyGroup(pgid);
    // Only processes of this test's own group are ever killed here.
    for (const pid of left) process.kill(pid, "SIGKILL");

    expect(left).toEqual([]);
  });

  it("exits with the command's status", async () => {
    const [file, ...args] = killGroupWithParent(["/bin/sh", "-c", "exit 7"]);
    const child = spawn(file, args, { stdio: "ignore" });

    expect(await new Promise((resolve) => child.once("exit", resolve))).toBe(7);
  });
});

describe("killWithParent", () => {
  it("prefixes the command with setpriv", () => {
    expect(killWithParent(["/usr/bin/time", "bwrap"])).toEqual(["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", "/usr/bin/time", "bwrap"]);
  });
});

describe("assertParentDeathProgram", () => {
  it("accepts the installed setpriv", async () => {
    await expect(assertParentDeathProgram()).resolves.toBeUndefined();
  });

  it("rejects a missing setpriv with the fix", async () => {
    await expect(assertParentDeathProgram({ path: "/nonexistent/setpriv" })).rejects.toThrow(
      'setpriv not found at /nonexistent/setpriv: unsandboxed steps need it to die with Paddock. Install util-linux ("apt-get install util-linux"), or run steps in bubblewrap with sandbox: "bwrap"',
    );
  });
});
