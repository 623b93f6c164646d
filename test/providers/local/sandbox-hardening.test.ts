import { copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLocalProvider, type LocalProvider } from "../../../src/providers/local/local-provider.ts";
import type { PreparedEnvironment, StepSpec } from "../../../src/providers/provider.ts";
import { SANDBOX_ETC_PATHS } from "../../../src/providers/local/sandbox-etc.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";

const SHA = "89abcdef0123456789abcdef0123456789abcdef";
const PLANTED_SECRET = "planted-secret-3f1c9d";

/** A host /etc-like folder this test creates: the allowed entries, plus secrets a step must not read. */
let plantedEtc: string;
let plantedProvider: LocalProvider;
let plantedEnvironment: PreparedEnvironment;
let hostProvider: LocalProvider;
let hostEnvironment: PreparedEnvironment;

function step(run: string, overrides: Partial<StepSpec> = {}): StepSpec {
  return { name: "probe", run, timeoutSeconds: 60, env: {}, ...overrides };
}

async function prepare(provider: LocalProvider, egress: string[] = []): Promise<PreparedEnvironment> {
  const source = await makeTemporaryDirectory("hardening-source");
  await writeFile(path.join(source, "README.md"), "# demo\n");
  return provider.prepare({ environment: testEnvironment({ egress }), source: { kind: "directory", sha: SHA, directory: source }, signal: new AbortController().signal });
}

beforeAll(async () => {
  plantedEtc = await makeTemporaryDirectory("planted-etc");
  await writeFile(path.join(plantedEtc, "hosts"), "127.0.0.1 localhost planted-host\n");
  await writeFile(path.join(plantedEtc, "resolv.conf"), "nameserver 127.0.0.53\n");
  await writeFile(path.join(plantedEtc, "passwd"), `root:x:0:0:root:/root:/bin/bash\n${PLANTED_SECRET}:x:1234:1234::/home/secret:/bin/sh\n`);
  await writeFile(path.join(plantedEtc, "group"), `root:x:0:\n${PLANTED_SECRET}:x:1234:\n`);
  await writeFile(path.join(plantedEtc, "shadow"), `root:${PLANTED_SECRET}:19000:0:99999:7:::\n`);
  await writeFile(path.join(plantedEtc, "app-private-key.pem"), `-----BEGIN PRIVATE KEY-----\n${PLANTED_SECRET}\n`);
  await mkdir(path.join(plantedEtc, "ssl", "private"), { recursive: true });
  await mkdir(path.join(plantedEtc, "ssl", "certs"), { recursive: true });
  await writeFile(path.join(plantedEtc, "ssl", "private", "server.key"), PLANTED_SECRET);
  await writeFile(path.join(plantedEtc, "ssl", "certs", "planted-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
  await mkdir(path.join(plantedEtc, "paddock"), { recursive: true });
  await writeFile(path.join(plantedEtc, "paddock", "app.env"), `WEBHOOK_SECRET=${PLANTED_SECRET}\n`);
  // A dangling link under an allowed name is left out, because bwrap cannot bind it.
  // The loader's cache is copied so that dynamically linked programs start.
  await copyFile("/etc/ld.so.cache", path.join(plantedEtc, "ld.so.cache"));
  await symlink("/nonexistent/zoneinfo", path.join(plantedEtc, "localtime"));

  plantedProvider = createLocalProvider({ stateDir: await makeTemporaryDirectory("planted-state"), hostEtc: plantedEtc });
  plantedEnvironment = await prepare(plantedProvider);
  hostProvider = createLocalProvider({ stateDir: await makeTemporaryDirectory("host-state") });
  hostEnvironment = await prepare(hostProvider);
});

afterAll(removeTemporaryDirectories);

function runPlanted(run: string) {
  return plantedProvider.runStep({ prepared: plantedEnvironment, step: step(run), signal: new AbortController().signal });
}

function runOnHostEtc(run: string, overrides: Partial<StepSpec> = {}) {
  return hostProvider.runStep({ prepared: hostEnvironment, step: step(run, overrides), signal: new AbortController().signal });
}

describe("sandbox /etc", () => {
  it("shows only the allowed entries of a planted /etc", async () => {
    const result = await runPlanted("ls -A /etc /etc/ssl /etc/ssl/certs");

    expect(result.outputTail).toBe(
      ["/etc:", "group", "hosts", "ld.so.cache", "passwd", "ssl", "", "/etc/ssl:", "certs", "", "/etc/ssl/certs:", "planted-ca.pem", ""].join("\n"),
    );
  });

  it("cannot read the planted secrets", async () => {
    const paths = ["/etc/shadow", "/etc/app-private-key.pem", "/etc/ssl/private/server.key", "/etc/paddock/app.env", path.join(plantedEtc, "shadow")];
    const result = await runPlanted(`for file in ${paths.join(" ")}; do cat "$file" 2>/dev/null && echo "read $file"; done; grep -r ${PLANTED_SECRET} /etc; echo "grep exit $?"`);

    expect(result.outputTail).toBe("grep exit 1\n");
  });

  it("reads the allowed planted files", async () => {
    const result = await runPlanted("cat /etc/hosts");

    expect(result.outputTail).toBe("127.0.0.1 localhost planted-host\n");
  });

  it("generates passwd and group without host accounts", async () => {
    const result = await runPlanted("cat /etc/passwd /etc/group; id -un");

    expect(result.outputTail).not.toContain(PLANTED_SECRET);
    expect(result.outputTail).toContain("root:x:0:0:root:/root:/bin/sh\n");
    expect(result.outputTail).toContain("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    expect(result.outputTail.trim().split("\n").at(-1)).toBe(process.getuid?.() === 0 ? "root" : (await import("node:os")).userInfo().username);
  });

  it("binds resolv.conf only with the network", async () => {
    const offline = await runPlanted("test -e /etc/resolv.conf; echo $?");
    const online = createLocalProvider({ stateDir: await makeTemporaryDirectory("planted-online"), hostEtc: plantedEtc });
    const onlineResult = await online.runStep({ prepared: await prepare(online, ["*"]), step: step("cat /etc/resolv.conf"), signal: new AbortController().signal });

    expect(offline.outputTail).toBe("1\n");
    expect(onlineResult.outputTail).toBe("nameserver 127.0.0.53\n");
  });

  it("keeps /etc read-only", async () => {
    const result = await runPlanted("touch /etc/new 2>/dev/null; echo $?; (echo x > /etc/hosts) 2>/dev/null; echo $?");

    expect(result.outputTail).toBe("1\n2\n");
  });

  it("lists only allowed names from the host /etc", async () => {
    const result = await runOnHostEtc("ls -A /etc");
    const allowed = new Set([...SANDBOX_ETC_PATHS.map((entry) => entry.split("/")[0]), "passwd", "group"]);

    expect(result.status).toBe("success");
    expect(result.outputTail.trim().split("\n").filter((name) => !allowed.has(name))).toEqual([]);
  });

  it("hides /opt", async () => {
    const result = await runOnHostEtc("test -e /opt; echo $?");

    expect(result.outputTail).toBe("1\n");
  });
});

describe("builds in the hardened sandbox", () => {
  it("runs sh, node and git", async () => {
    const script = [
      "set -e",
      "echo sh-ok",
      "node -e 'console.log(\"node-\" + (1 + 1))'",
      "git init -q repo && cd repo",
      "echo hello > file && git add file",
      "git -c user.name=Paddock -c user.email=paddock@example.invalid commit -q -m first",
      "git log --format=%s",
      "id -un > /dev/null && echo id-ok",
      "date > /dev/null && echo date-ok",
    ].join("\n");

    const result = await runOnHostEtc(script);

    expect(result.status).toBe("success");
    expect(result.outputTail).toBe("sh-ok\nnode-2\nfirst\nid-ok\ndate-ok\n");
  });
});

describe("step usage", () => {
  it("stays true when the step forges its report", async () => {
    // Burns one second of CPU with 100 MB allocated, then tries every place a report could be:
    // the old /.paddock folder and any file descriptor above stderr that it inherited.
    const forge = [
      "node -e 'const keep = Buffer.alloc(100e6, 1); while (process.cpuUsage().user < 1e6) {} console.log(keep.length)'",
      "rm -rf /.paddock 2>/dev/null; mkdir -p /.paddock 2>/dev/null && printf '0.00 0.00 1\\n' > /.paddock/usage",
      "for fd in 3 4 5 6 7 8 9; do eval \"printf '0.00 0.00 1\\\\n' >&$fd\" 2>/dev/null && echo \"wrote fd $fd\"; done",
      "ls /proc/self/fd | sort -n | tr '\\n' ' '",
    ].join("\n");

    const result = await runOnHostEtc(forge);

    expect(result.status).toBe("success");
    expect(result.outputTail).not.toContain("wrote fd");
    expect(result.usage?.cpuSeconds).toBeGreaterThanOrEqual(1);
    expect(result.usage?.peakMemoryBytes).toBeGreaterThan(100e6);
  });
});
