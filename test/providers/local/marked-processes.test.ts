import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createLocalProvider } from "../../../src/providers/local/local-provider.ts";
import { findMarkedProcesses, killMarkedProcesses } from "../../../src/providers/local/marked-processes.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";
import { isProcessRunning, waitForFile } from "./sandbox-process.ts";
import { findProcessesWithMarker } from "./service-stack.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

/** Shell line that starts `sleep 300` in a new session, writes its PID to `file` and waits for it. */
function startEscapedSleep(file: string, tag: string): string {
  return `(setsid sh -c 'echo $$ > ${file}; exec sleep 300 # ${tag}' &); while [ ! -s ${file} ]; do sleep 0.01; done`;
}

async function prepareUnsandboxed(name: string) {
  const stateDir = await makeTemporaryDirectory("marked-state");
  const source = await makeTemporaryDirectory("marked-source");
  const provider = createLocalProvider({ stateDir, sandbox: "none" });
  const prepared = await provider.prepare({ environment: testEnvironment({ name }), source: { kind: "directory", sha: SHA, directory: source }, signal });
  return { provider, prepared };
}

describe("findMarkedProcesses", () => {
  it("finds a process started with the marker", async () => {
    const marker = randomUUID();
    const child = spawn("sleep", ["300"], { env: { PATH: "/usr/bin:/bin", PADDOCK_RUN_ID: marker }, stdio: "ignore" });
    try {
      await expect.poll(() => findMarkedProcesses(marker)).toEqual([child.pid]);
      expect(await findMarkedProcesses(randomUUID())).toEqual([]);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("misses a process that cleared its environment", async () => {
    const marker = randomUUID();
    const child = spawn("env", ["-i", "sleep", "300"], { env: { PATH: "/usr/bin:/bin", PADDOCK_RUN_ID: marker }, stdio: "ignore" });
    try {
      await expect.poll(async () => (await readFile(`/proc/${child.pid}/cmdline`, "utf8")).startsWith("sleep")).toBe(true);
      expect(await findMarkedProcesses(marker)).toEqual([]);
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("kill leaves no marked process", async () => {
    const marker = randomUUID();
    const child = spawn("sh", ["-c", "sleep 300 & sleep 300 & wait"], { env: { PATH: "/usr/bin:/bin", PADDOCK_RUN_ID: marker }, stdio: "ignore" });
    await expect.poll(async () => (await findMarkedProcesses(marker)).length).toBe(3);

    const killed = await killMarkedProcesses(marker);

    expect(killed).toHaveLength(3);
    expect(killed).toContain(child.pid);
    await expect.poll(() => findMarkedProcesses(marker)).toEqual([]);
  });
});

describe("unsandboxed escaped processes", () => {
  it("step's setsid child ends with the step", { timeout: 60_000 }, async () => {
    const { provider, prepared } = await prepareUnsandboxed("marked-1-abc");

    const result = await provider.runStep({ prepared, step: { name: "escape", run: `${startEscapedSleep("escaped.pid", "step")}; echo started`, timeoutSeconds: 30, env: {} }, signal });
    const escapedPid = Number(await readFile(path.join(prepared.location, "escaped.pid"), "utf8"));

    expect(result.status).toBe("success");
    expect(escapedPid).toBeGreaterThan(0);
    expect(await isProcessRunning(escapedPid)).toBe(false);
    expect(await readFile(result.logPath ?? "", "utf8")).toBe('paddock: WARNING: step escape ran unsandboxed on the host (sandbox: "none")\nstarted\n');
  });

  it("teardown kills a running step's setsid child", { timeout: 60_000 }, async () => {
    const { provider, prepared } = await prepareUnsandboxed("marked-2-abc");
    const escapedFile = path.join(prepared.location, "escaped.pid");

    const running = provider.runStep({ prepared, step: { name: "hang", run: `${startEscapedSleep("escaped.pid", "teardown")}; sleep 300`, timeoutSeconds: 60, env: {} }, signal });
    const escapedPid = Number(await waitForFile(escapedFile));
    await provider.teardown({ environmentName: prepared.environment.name });
    const result = await running;

    expect(result.status).toBe("cancelled");
    expect(await isProcessRunning(escapedPid)).toBe(false);
  });

  it("service's setsid child ends with the services", { timeout: 60_000 }, async () => {
    const { provider, prepared } = await prepareUnsandboxed("marked-3-abc");
    const tag = `paddock-marked-test-${randomUUID()}`;
    const port = await findFreePort();
    await writeFile(path.join(prepared.location, "server.js"), `require("node:http").createServer((q, s) => s.end("up")).listen(${port}, "127.0.0.1");\n`);

    const started = await provider.startServices({
      prepared,
      services: [{ name: "web", image: "node:24", run: `${startEscapedSleep("service.pid", tag)}; exec node server.js`, port, ready: { tcp: port }, env: {}, timeoutSeconds: 30 }],
      signal,
    });
    const escapedPid = Number(await readFile(path.join(prepared.location, "service.pid"), "utf8"));
    expect(started.ready).toBe(true);
    expect(await isProcessRunning(escapedPid)).toBe(true);

    await started.stop();

    expect(await isProcessRunning(escapedPid)).toBe(false);
    expect(await findProcessesWithMarker(tag)).toEqual([]);
  });
});

/** Returns a TCP port that is free on 127.0.0.1 right now. */
async function findFreePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
