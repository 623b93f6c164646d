import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { CappedLogWriter, DEFAULT_LOG_MAX_BYTES, describeDroppedBytes, readLogMaxBytes } from "../../../src/providers/local/capped-log.ts";
import { createLocalProvider } from "../../../src/providers/local/local-provider.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";

const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

/** Writes the chunks to a fresh capped log and returns the file's text. */
async function writeCapped(maxBytes: number, chunks: string[]): Promise<string> {
  const directory = await makeTemporaryDirectory("capped");
  const logPath = path.join(directory, "step.log");
  const writer = new CappedLogWriter(logPath, maxBytes);
  for (const chunk of chunks) writer.write(Buffer.from(chunk));
  await new Promise<void>((resolve, reject) => {
    writer.once("error", reject);
    writer.end(() => resolve());
  });
  return readFile(logPath, "utf8");
}

describe("CappedLogWriter", () => {
  it("output under the cap kept whole", async () => {
    expect(await writeCapped(10, ["abc", "def"])).toBe("abcdef");
  });

  it("output of exactly the cap kept whole", async () => {
    expect(await writeCapped(10, ["abcde", "fghij"])).toBe("abcdefghij");
  });

  it("one byte over the cap drops one byte", async () => {
    expect(await writeCapped(10, ["abcde", "fghijk"])).toBe(`abcde${describeDroppedBytes(1)}ghijk`);
  });

  it("odd cap keeps the larger half as tail", async () => {
    expect(await writeCapped(5, ["0123456789"])).toBe(`01${describeDroppedBytes(5)}789`);
  });

  it("many small chunks wrap the tail ring", async () => {
    const chunks = Array.from({ length: 100 }, (_, index) => `${index % 10}`);

    expect(await writeCapped(8, chunks)).toBe(`0123${describeDroppedBytes(92)}6789`);
  });

  it("chunk larger than the tail keeps its end", async () => {
    expect(await writeCapped(8, ["ab", "cdefghijklmnopqrstuvwxyz"])).toBe(`abcd${describeDroppedBytes(18)}wxyz`);
  });

  it("dropped-bytes line names the count and the variable", () => {
    expect(describeDroppedBytes(1234)).toBe(
      "\npaddock: 1234 bytes of output dropped here, because the log is limited to its first and last bytes (PADDOCK_LOG_MAX_BYTES)\n",
    );
  });
});

describe("readLogMaxBytes", () => {
  it("unset gives the default", () => {
    expect(readLogMaxBytes({})).toBe(DEFAULT_LOG_MAX_BYTES);
    expect(DEFAULT_LOG_MAX_BYTES).toBe(10_485_760);
  });

  it("empty gives the default", () => {
    expect(readLogMaxBytes({ PADDOCK_LOG_MAX_BYTES: "" })).toBe(DEFAULT_LOG_MAX_BYTES);
  });

  it("whole number within range is read", () => {
    expect(readLogMaxBytes({ PADDOCK_LOG_MAX_BYTES: "1024" })).toBe(1024);
    expect(readLogMaxBytes({ PADDOCK_LOG_MAX_BYTES: "1073741824" })).toBe(1_073_741_824);
  });

  it.each(["abc", "10MiB", "-5", "1.5", "1e6", " 2048", "0", "1023", "1073741825"])("invalid value %j rejected", (value) => {
    let caught: unknown;
    try {
      readLogMaxBytes({ PADDOCK_LOG_MAX_BYTES: value });
    } catch (error) {
      caught = error;
    }

    expect(caught).toBeInstanceOf(PaddockError);
    expect((caught as PaddockError).code).toBe("USAGE");
    expect((caught as PaddockError).message).toBe(
      `PADDOCK_LOG_MAX_BYTES=${value} is invalid. set a whole number of bytes from 1024 to 1073741824, or leave it unset for the default 10485760 (10 MiB)`,
    );
  });
});

describe("local provider step log cap", () => {
  it("sandboxed step writing 1 MB keeps head, line and tail", { timeout: 60_000 }, async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const source = await makeTemporaryDirectory("source");
    const provider = createLocalProvider({ stateDir, logMaxBytes: 4096 });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: { kind: "directory", sha: "aaaa1111", directory: source }, signal });

    const result = await provider.runStep({
      prepared,
      step: { name: "flood", run: "head -c 1000000 /dev/zero | tr '\\0' 'A'; echo END", timeoutSeconds: 60, env: {} },
      signal,
    });

    // The step writes 1,000,000 bytes of "A" and "END\n": 1,000,004 bytes, of which 4,096 are kept.
    const dropped = describeDroppedBytes(1_000_004 - 4096);
    expect(dropped).toContain("paddock: 995908 bytes of output dropped here");
    expect(result.status).toBe("success");
    expect(result.outputTail).toBe(`${"A".repeat(16 * 1024 - 4)}END\n`);
    expect((await stat(result.logPath ?? "")).size).toBe(4096 + Buffer.byteLength(dropped));
    expect(await readFile(result.logPath ?? "", "utf8")).toBe(`${"A".repeat(2048)}${dropped}${"A".repeat(2044)}END\n`);
  });

  it("sandboxed step under the cap keeps its whole log", { timeout: 60_000 }, async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const source = await makeTemporaryDirectory("source");
    const provider = createLocalProvider({ stateDir, logMaxBytes: 4096 });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: { kind: "directory", sha: "aaaa1111", directory: source }, signal });

    const result = await provider.runStep({ prepared, step: { name: "short", run: "head -c 4092 /dev/zero | tr '\\0' 'B'; echo END", timeoutSeconds: 60, env: {} }, signal });

    expect(result.status).toBe("success");
    expect(await readFile(result.logPath ?? "", "utf8")).toBe(`${"B".repeat(4092)}END\n`);
  });
});

describe("local provider service log cap", () => {
  it("sandboxed service writing 1 MB keeps head, line and tail", { timeout: 60_000 }, async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const source = await makeTemporaryDirectory("source");
    const provider = createLocalProvider({ stateDir, logMaxBytes: 4096 });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: { kind: "directory", sha: "aaaa1111", directory: source }, signal });
    const port = await findFreePort();
    await writeFile(path.join(prepared.location, "server.js"), `require("node:http").createServer((q, s) => s.end("up")).listen(${port}, "127.0.0.1");\n`);

    const started = await provider.startServices({
      prepared,
      services: [{ name: "web", image: "node:24", run: "head -c 1000000 /dev/zero | tr '\\0' 'S'; echo END; exec node server.js", port, ready: { tcp: port }, env: {}, timeoutSeconds: 30 }],
      signal,
    });
    expect(started.ready).toBe(true);
    await started.stop();

    const logPath = path.join(stateDir, "environments", prepared.environment.name, "logs", "aaaa1111", "services", "web.log");
    const dropped = describeDroppedBytes(1_000_004 - 4096);
    expect((await stat(logPath)).size).toBe(4096 + Buffer.byteLength(dropped));
    expect(await readFile(logPath, "utf8")).toBe(`${"S".repeat(2048)}${dropped}${"S".repeat(2044)}END\n`);
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
