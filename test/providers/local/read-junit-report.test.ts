import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { readJunitReport } from "../../../src/providers/local/read-junit-report.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories } from "./helpers.ts";

afterAll(removeTemporaryDirectories);

async function checkoutWith(files: Record<string, string>): Promise<string> {
  const checkoutDirectory = await makeTemporaryDirectory("checkout");
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(checkoutDirectory, name)), { recursive: true });
    await writeFile(path.join(checkoutDirectory, name), content);
  }
  return checkoutDirectory;
}

describe("readJunitReport", () => {
  it("accepts a report at the size limit", async () => {
    const checkoutDirectory = await checkoutWith({ "out/junit.xml": "12345678" });

    const result = await readJunitReport({ checkoutDirectory, junitPath: "out/junit.xml", maxBytes: 8 });

    expect(result).toEqual({ report: { format: "junit-xml", path: "out/junit.xml", content: "12345678" } });
  });

  it("rejects a report past the size limit", async () => {
    const checkoutDirectory = await checkoutWith({ "junit.xml": "123456789" });

    const result = await readJunitReport({ checkoutDirectory, junitPath: "junit.xml", maxBytes: 8 });

    expect(result).toEqual({ problem: "JUnit report junit.xml is 9 bytes, over the limit of 8 bytes" });
  });

  it("rejects an absolute path", async () => {
    const checkoutDirectory = await checkoutWith({});

    const result = await readJunitReport({ checkoutDirectory, junitPath: "/etc/passwd" });

    expect(result).toEqual({ problem: "JUnit report path /etc/passwd is absolute, but it must be relative to the repository root" });
  });

  it("rejects a FIFO without blocking", async () => {
    const checkoutDirectory = await checkoutWith({});
    execFileSync("mkfifo", [path.join(checkoutDirectory, "junit.xml")]);

    const result = await readJunitReport({ checkoutDirectory, junitPath: "junit.xml" });

    expect(result).toEqual({ problem: "JUnit report junit.xml is not a regular file" });
  });
});
