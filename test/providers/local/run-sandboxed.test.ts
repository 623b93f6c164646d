import { readFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { runSandboxed } from "../../../src/providers/local/run-sandboxed.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories } from "./helpers.ts";
import { isProcessRunning, waitForFile } from "./sandbox-process.ts";

const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

async function runShell(command: string, timeoutSeconds = 30) {
  const directory = await makeTemporaryDirectory("run");
  const logPath = path.join(directory, "logs", "step.log");
  const run = await runSandboxed({ argv: ["/bin/sh", "-c", command], cwd: directory, env: { PATH: "/usr/bin:/bin" }, logPath, timeoutSeconds, signal });
  return { run, directory, logPath };
}

describe("runSandboxed", () => {
  it("missing program rejects with the path", async () => {
    const directory = await makeTemporaryDirectory("run");

    const error = await runSandboxed({ argv: ["/nonexistent/program"], logPath: path.join(directory, "step.log"), timeoutSeconds: 5, signal }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("SANDBOX_UNAVAILABLE");
    expect((error as PaddockError).message).toBe("starting /nonexistent/program failed: spawn /nonexistent/program ENOENT");
  });

  it("killed by a signal is a failure", async () => {
    const { run } = await runShell("kill -KILL $$");

    expect(run.status).toBe("failure");
    expect(run.exitCode).toBeNull();
    expect(run.reason).toBe("killed by signal SIGKILL");
  });

  it("escaped process does not hold the step", { timeout: 20_000 }, async () => {
    const { run, directory, logPath } = await runShell(
      // The step waits for the PID file, because the exit of the step kills the background shell if it has not left the group yet.
      "setsid sh -c 'echo $$ > escaped.pid; exec sleep 300' & while [ ! -s escaped.pid ]; do sleep 0.01; done; echo started",
    );
    const escapedPid = Number(await waitForFile(path.join(directory, "escaped.pid")));
    process.kill(escapedPid, "SIGKILL");

    expect(run.status).toBe("success");
    expect(run.outputTail).toBe("started\n");
    expect(await readFile(logPath, "utf8")).toBe(
      "started\n\npaddock: output closed 1000 ms after the step exited, because a process outside its process group kept it open\n",
    );
    await expect.poll(() => isProcessRunning(escapedPid)).toBe(false);
  });
});
