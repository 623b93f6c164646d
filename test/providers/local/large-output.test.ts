import { stat } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { DEFAULT_LOG_MAX_BYTES, describeDroppedBytes } from "../../../src/providers/local/capped-log.ts";
import { createLocalProvider } from "../../../src/providers/local/local-provider.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";

const GIBIBYTE = 1024 ** 3;
const LINE_WIDTH = 100;
const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

describe("local provider large output", () => {
  it("1 GiB of output keeps memory bounded", async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const source = await makeTemporaryDirectory("source");
    const provider = createLocalProvider({ stateDir });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: { kind: "directory", sha: "aaaa1111", directory: source }, signal });

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const result = await provider.runStep({
      prepared,
      step: { name: "flood", run: `head -c ${GIBIBYTE} /dev/zero | tr '\\0' 'x' | fold -w ${LINE_WIDTH}`, timeoutSeconds: 300, env: {} },
      signal,
    }).finally(() => clearInterval(sampler));

    // fold ends every full line with a newline and leaves the last 24 bytes unterminated.
    const fullLines = Math.floor(GIBIBYTE / LINE_WIDTH);
    const lastLine = "x".repeat(GIBIBYTE - fullLines * LINE_WIDTH);
    expect(result.status).toBe("success");
    expect(result.outputTail).toBe(`${"x".repeat(LINE_WIDTH)}\n`.repeat(49) + lastLine);
    expect(result.outputTruncated).toBe(true);
    // The host log keeps its default cap of output and one line counting the rest.
    const dropped = describeDroppedBytes(GIBIBYTE + fullLines - DEFAULT_LOG_MAX_BYTES);
    expect((await stat(result.logPath ?? "")).size).toBe(DEFAULT_LOG_MAX_BYTES + Buffer.byteLength(dropped));
    // A quarter of the output: far below what keeping it would take. Node 24 reaches about 120 MiB of garbage before collecting.
    expect(peak - baseline).toBeLessThan(256 * 1024 * 1024);
    expect(path.dirname(result.logPath ?? "")).toBe(path.join(stateDir, "environments", prepared.environment.name, "logs", "aaaa1111"));
  }, 300_000);
});
