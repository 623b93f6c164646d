import { randomUUID } from "node:crypto";
import { access, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLocalProvider, type LocalProvider } from "../../../src/providers/local/local-provider.ts";
import type { PreparedEnvironment, StepSpec } from "../../../src/providers/provider.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";
import { START_BACKGROUND_SLEEP, findHostPid, isProcessRunning, waitForFile } from "./sandbox-process.ts";

const SHA = "0123456789abcdef0123456789abcdef01234567";

let provider: LocalProvider;
let prepared: PreparedEnvironment;
let stateDir: string;
let server: Server | undefined;
let serverPort: number;

function step(run: string, overrides: Partial<StepSpec> = {}): StepSpec {
  return { name: "test", run, timeoutSeconds: 30, env: {}, ...overrides };
}

function runStep(run: string, overrides: Partial<StepSpec> = {}, target: PreparedEnvironment = prepared) {
  return provider.runStep({ prepared: target, step: step(run, overrides), signal: new AbortController().signal });
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

beforeAll(async () => {
  stateDir = await makeTemporaryDirectory("state");
  const source = await makeTemporaryDirectory("source");
  await writeFile(path.join(source, "README.md"), "# demo\n");

  provider = createLocalProvider({ stateDir });
  prepared = await provider.prepare({
    environment: testEnvironment(),
    source: { kind: "directory", sha: SHA, directory: source },
    signal: new AbortController().signal,
  });

  const listening = createServer((_request, response) => response.end("reachable"));
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  serverPort = (listening.address() as AddressInfo).port;
  server = listening;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
});
afterAll(removeTemporaryDirectories);

describe("local provider steps", () => {
  it("success returns exit 0 and the tail", async () => {
    const result = await runStep("cat README.md; echo done", { name: "build" });

    expect(result.status).toBe("success");
    expect(result.exitCode).toBe(0);
    expect(result.outputTail).toBe("# demo\ndone\n");
    expect(result.outputTruncated).toBe(false);
    expect(result.reason).toBeUndefined();
    expect(result.logPath).toBe(path.join(stateDir, "environments", "pr-1-abc123", "logs", SHA, "build.log"));
    expect(await readFile(result.logPath ?? "", "utf8")).toBe("# demo\ndone\n");
  });

  it("stderr goes to the tail", async () => {
    const result = await runStep("echo oops >&2");

    expect(result.outputTail).toBe("oops\n");
  });

  it("failure keeps the exit code", async () => {
    const result = await runStep("echo failing; exit 7");

    expect(result.status).toBe("failure");
    expect(result.exitCode).toBe(7);
    expect(result.reason).toBe("exited with code 7");
    expect(result.outputTail).toBe("failing\n");
  });

  it("timeout kills the whole process group", async () => {
    const pidFile = path.join(prepared.location, "sleep.pid");
    const running = runStep(START_BACKGROUND_SLEEP, { timeoutSeconds: 2 });
    const [namespacePid, namespaceLink] = (await waitForFile(pidFile)).trim().split(" ");
    const hostPid = await findHostPid(Number(namespacePid), namespaceLink ?? "");

    const result = await running;

    expect(result.status).toBe("timed_out");
    expect(result.exitCode).toBeNull();
    expect(result.reason).toBe("timed out after 2s");
    expect(result.usage).toBeUndefined();
    expect(result.usageGap).toBe("the step was stopped before GNU time reported its usage, so requests times wall time were charged");
    await expect.poll(() => isProcessRunning(hostPid)).toBe(false);
  });

  it("abort gives cancelled with the reason", async () => {
    const controller = new AbortController();
    const marker = `started-${randomUUID()}`;
    const running = provider.runStep({ prepared, step: step(`echo > ${marker}; sleep 300`), signal: controller.signal });
    await waitForFile(path.join(prepared.location, marker));

    controller.abort("superseded by a newer commit");
    const result = await running;

    expect(result.status).toBe("cancelled");
    expect(result.exitCode).toBeNull();
    expect(result.reason).toBe("superseded by a newer commit");
  });

  it("aborted signal never starts the step", async () => {
    const controller = new AbortController();
    controller.abort(new Error("pull request closed"));

    const result = await provider.runStep({ prepared, step: step("echo > never-started"), signal: controller.signal });

    expect(result.status).toBe("cancelled");
    expect(result.reason).toBe("pull request closed");
    expect(await exists(path.join(prepared.location, "never-started"))).toBe(false);
  });

  it("environment is fixed and host-free", async () => {
    const result = await runStep('echo "$HOME $CI $PADDOCK $GREETING"; pwd; env | sort | cut -d= -f1 | tr "\\n" " "', {
      env: { GREETING: "hello" },
    });

    expect(result.outputTail).toBe(`/tmp true 1 hello\n/workspace\nCI GREETING HOME PADDOCK PATH PWD `);
  });
});

describe("local provider isolation", () => {
  const fetchScript = (port: number) =>
    `node -e 'fetch("http://127.0.0.1:${port}/").then((r) => r.text()).then((t) => console.log(t), (e) => { console.log("unreachable " + e.cause.code); process.exit(3); })'`;

  it("no network by default", async () => {
    const result = await runStep(fetchScript(serverPort));

    expect(result.outputTail).toBe("unreachable ECONNREFUSED\n");
    expect(result.exitCode).toBe(3);
  });

  it("network when egress allows any host", async () => {
    const withEgress = await provider.prepare({
      environment: testEnvironment({ name: "pr-2-egress", egress: ["*"] }),
      source: { kind: "directory", sha: SHA, directory: prepared.location },
      signal: new AbortController().signal,
    });

    const result = await runStep(fetchScript(serverPort), {}, withEgress);

    expect(result.outputTail).toBe("reachable\n");
    expect(result.status).toBe("success");
  });

  it("no network when egress lists hosts", async () => {
    const withHosts = await provider.prepare({
      environment: testEnvironment({ name: "pr-2-hosts", egress: ["registry.npmjs.org"] }),
      source: { kind: "directory", sha: SHA, directory: prepared.location },
      signal: new AbortController().signal,
    });

    const result = await runStep(fetchScript(serverPort), {}, withHosts);

    expect(result.outputTail).toBe("unreachable ECONNREFUSED\n");
    expect(result.exitCode).toBe(3);
  });

  it("measures CPU time and peak memory", async () => {
    const result = await runStep(`node -e 'const a = Buffer.alloc(150e6, 1); let s = 0; for (let i = 0; i < 2e8; i += 1) s += a[i % 1000]; console.log(s > 0)'`);

    expect(result.outputTail).toBe("true\n");
    expect(result.usage?.peakMemoryBytes).toBeGreaterThan(150e6);
    expect(result.usage?.cpuSeconds).toBeGreaterThan(0);
    expect(result.usageGap).toBeUndefined();
  });

  it("secret system files are absent", async () => {
    const result = await runStep("for file in /etc/shadow /etc/gshadow /etc/sudoers /etc/ssh /etc/ssl/private; do test -e $file && echo $file; done; test -r /etc/passwd && echo passwd");

    expect(result.outputTail).toBe("passwd\n");
  });

  it("private /tmp in both directions", async () => {
    const inside = `/tmp/paddock-inside-${randomUUID()}`;
    const hostFile = `/tmp/paddock-host-${randomUUID()}`;
    await writeFile(hostFile, "host\n");

    const result = await runStep(`echo secret > ${inside} && cat ${inside} && test ! -e ${hostFile} && echo hidden`);
    await rm(hostFile);

    expect(result.outputTail).toBe("secret\nhidden\n");
    expect(await exists(inside)).toBe(false);
  });

  it("system is read-only, checkout writable", async () => {
    const result = await runStep("touch /usr/paddock-probe; touch /etc/paddock-probe; echo written > written.txt");

    expect(result.outputTail).toBe(
      "touch: cannot touch '/usr/paddock-probe': Read-only file system\ntouch: cannot touch '/etc/paddock-probe': Read-only file system\n",
    );
    expect(await exists("/usr/paddock-probe")).toBe(false);
    expect(await readFile(path.join(prepared.location, "written.txt"), "utf8")).toBe("written\n");
  });

  it("host paths are not visible", async () => {
    const result = await runStep('for p in /root /home /work /var/run /run; do if [ -e "$p" ]; then echo "visible $p"; fi; done; ls -A /root 2>/dev/null; true');

    // The directory of the running Node is bound read-only, and on CI it can live under /root.
    const nodeDirectory = path.dirname(process.execPath);
    const expected = nodeDirectory.startsWith("/root/") ? `visible /root\n${nodeDirectory.split("/")[2]}\n` : "";
    expect(result.outputTail).toBe(expected);
  });
});
