import { readFile } from "node:fs/promises";

import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../src/errors.ts";
import { describeDroppedBytes } from "../../src/providers/local/capped-log.ts";
import { createProviderFromEnv, readClusterName } from "../../src/service/create-provider-from-env.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "../providers/local/helpers.ts";

const logger = pino({ enabled: false });
const signal = new AbortController().signal;

afterAll(removeTemporaryDirectories);

describe("createProviderFromEnv log cap", () => {
  it("invalid PADDOCK_LOG_MAX_BYTES rejected", async () => {
    const stateDir = await makeTemporaryDirectory("provider-env");

    const error = await createProviderFromEnv({ env: { PADDOCK_LOG_MAX_BYTES: "512" }, stateDir, logger }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("USAGE");
    expect((error as PaddockError).message).toBe(
      "PADDOCK_LOG_MAX_BYTES=512 is invalid. set a whole number of bytes from 1024 to 1073741824, or leave it unset for the default 10485760 (10 MiB)",
    );
  });

  it("valid PADDOCK_LOG_MAX_BYTES caps step logs", { timeout: 60_000 }, async () => {
    const stateDir = await makeTemporaryDirectory("provider-env");
    const source = await makeTemporaryDirectory("provider-env-source");
    const provider = await createProviderFromEnv({ env: { PADDOCK_LOG_MAX_BYTES: "2048" }, stateDir, logger });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: { kind: "directory", sha: "aaaa1111", directory: source }, signal });

    const result = await provider.runStep({ prepared, step: { name: "flood", run: "head -c 10000 /dev/zero | tr '\\0' 'C'", timeoutSeconds: 60, env: {} }, signal });

    const dropped = describeDroppedBytes(10_000 - 2048);
    expect(provider.kind).toBe("local");
    expect(result.status).toBe("success");
    expect(await readFile(result.logPath ?? "", "utf8")).toBe(`${"C".repeat(1024)}${dropped}${"C".repeat(1024)}`);
  });
});

describe("createProviderFromEnv PADDOCK_CLUSTER", () => {
  it("rejects a bad name on local", async () => {
    const stateDir = await makeTemporaryDirectory("provider-env");

    const error = await createProviderFromEnv({ env: { PADDOCK_CLUSTER: "prod eu", PADDOCK_SANDBOX: "none" }, stateDir, logger }).catch((caught: unknown) => caught);

    expect((error as PaddockError).message).toBe(
      'PADDOCK_CLUSTER="prod eu" is invalid. set a name of 1 to 63 letters, digits, dots, dashes or underscores that starts with a letter or digit, such as prod-eu-1',
    );
  });

  it("warns that local ignores it", async () => {
    const stateDir = await makeTemporaryDirectory("provider-env");
    const warnings: string[] = [];
    const capture = pino({ level: "warn" }, { write: (line: string) => void warnings.push(JSON.parse(line).msg) });

    const provider = await createProviderFromEnv({ env: { PADDOCK_CLUSTER: "prod-eu-1", PADDOCK_SANDBOX: "none" }, stateDir, logger: capture });

    expect(provider.cluster).toBeUndefined();
    expect(warnings).toContain("PADDOCK_CLUSTER is ignored: only the kubernetes provider names a cluster");
  });
});

describe("readClusterName", () => {
  it("reads a valid cluster name", () => {
    expect(readClusterName("prod-eu-1")).toBe("prod-eu-1");
  });

  it("treats an empty value as unset", () => {
    expect(readClusterName("")).toBeUndefined();
    expect(readClusterName(undefined)).toBeUndefined();
  });

  it.each([["-starts-with-dash"], ["has space"], ["a".repeat(64)], ["line\nbreak"]])("rejects %j", (value) => {
    expect(() => readClusterName(value)).toThrow(
      `PADDOCK_CLUSTER=${JSON.stringify(value)} is invalid. set a name of 1 to 63 letters, digits, dots, dashes or underscores that starts with a letter or digit, such as prod-eu-1`,
    );
  });
});
