import { access, readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { PaddockError } from "../../../src/errors.ts";
import { MAX_STEP_TIMEOUT_SECONDS, createLocalProvider } from "../../../src/providers/local/local-provider.ts";
import type { SourceSpec } from "../../../src/providers/provider.ts";
import { makeTemporaryDirectory, removeTemporaryDirectories, testEnvironment } from "./helpers.ts";
import { START_BACKGROUND_SLEEP, isProcessRunning, waitForFile } from "./sandbox-process.ts";

const FIRST_SHA = "1111111111111111111111111111111111111111";
const SECOND_SHA = "2222222222222222222222222222222222222222";
const signal = new AbortController().signal;

async function directorySource(sha: string): Promise<SourceSpec> {
  const directory = await makeTemporaryDirectory("source");
  await writeFile(path.join(directory, "commit.txt"), `${sha}\n`);
  return { kind: "directory", sha, directory };
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

afterAll(removeTemporaryDirectories);

describe("local provider lifecycle", () => {
  it("prepare writes environment.json", async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const now = new Date("2026-01-02T03:04:05.000Z");
    const provider = createLocalProvider({ stateDir, now: () => now });
    const environment = testEnvironment({ ttlSeconds: 7200 });

    const prepared = await provider.prepare({ environment, source: await directorySource(FIRST_SHA), signal });
    const record = JSON.parse(await readFile(path.join(stateDir, "environments", environment.name, "environment.json"), "utf8"));

    expect(record).toEqual({
      environment,
      sha: FIRST_SHA,
      location: prepared.location,
      createdAt: "2026-01-02T03:04:05.000Z",
      updatedAt: "2026-01-02T03:04:05.000Z",
      expiresAt: "2026-01-02T05:04:05.000Z",
    });
    expect(await readFile(path.join(prepared.location, "commit.txt"), "utf8")).toBe(`${FIRST_SHA}\n`);
  });

  it("new SHA replaces the old checkout", async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const provider = createLocalProvider({ stateDir });
    const environment = testEnvironment();

    const first = await provider.prepare({ environment, source: await directorySource(FIRST_SHA), signal });
    const second = await provider.prepare({ environment, source: await directorySource(SECOND_SHA), signal });

    expect(await readdir(path.dirname(second.location))).toEqual([SECOND_SHA]);
    expect(await exists(first.location)).toBe(false);
  });

  it("restarted provider lists environments", async () => {
    const stateDir = await makeTemporaryDirectory("state");
    await createLocalProvider({ stateDir }).prepare({ environment: testEnvironment({ name: "pr-9" }), source: await directorySource(FIRST_SHA), signal });
    await createLocalProvider({ stateDir }).prepare({ environment: testEnvironment({ name: "pr-3" }), source: await directorySource(SECOND_SHA), signal });

    const records = await createLocalProvider({ stateDir }).listEnvironments();

    expect(records.map((record) => [record.environment.name, record.sha])).toEqual([
      ["pr-3", SECOND_SHA],
      ["pr-9", FIRST_SHA],
    ]);
  });

  it("teardown of a missing environment succeeds", async () => {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state") });

    await expect(provider.teardown({ environmentName: "never-created" })).resolves.toBeUndefined();
  });

  it("teardown cancels steps and removes the folder", async () => {
    const stateDir = await makeTemporaryDirectory("state");
    const provider = createLocalProvider({ stateDir });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal });
    const running = provider.runStep({ prepared, step: { name: "wait", run: "echo > started; sleep 300", timeoutSeconds: 60, env: {} }, signal });
    await waitForFile(path.join(prepared.location, "started"));

    await provider.teardown({ environmentName: prepared.environment.name });
    const result = await running;

    expect(result.status).toBe("cancelled");
    expect(result.reason).toBe("environment torn down");
    expect(await exists(path.join(stateDir, "environments", prepared.environment.name))).toBe(false);
  });

  it("timeout above the maximum is rejected", async () => {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state") });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal });
    const step = { name: "slow", run: "true", env: {} };

    const accepted = await provider.runStep({ prepared, step: { ...step, timeoutSeconds: MAX_STEP_TIMEOUT_SECONDS }, signal });
    const rejected = provider.runStep({ prepared, step: { ...step, timeoutSeconds: MAX_STEP_TIMEOUT_SECONDS + 1 }, signal });

    expect(accepted.status).toBe("success");
    await expect(rejected).rejects.toThrow(
      `step slow has the invalid timeout ${MAX_STEP_TIMEOUT_SECONDS + 1} seconds. Use a positive number of seconds, at most ${MAX_STEP_TIMEOUT_SECONDS}`,
    );
  });

  it("missing bwrap gives the exact error", async () => {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state"), bwrapPath: "/opt/missing/bwrap" });

    const error = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PaddockError);
    expect((error as PaddockError).code).toBe("SANDBOX_UNAVAILABLE");
    expect((error as PaddockError).message).toBe(
      "bubblewrap not found at /opt/missing/bwrap: the local provider runs every step in a bubblewrap sandbox. " +
        'Install it with "apt-get install bubblewrap", or create the local provider with sandbox: "none" to run steps unsandboxed on the host',
    );
  });
});

describe("local provider JUnit reports", () => {
  async function runWithJunit(run: string, junitPath: string) {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state") });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal });
    return provider.runStep({ prepared, step: { name: "test", run, timeoutSeconds: 30, env: {}, junitPath }, signal });
  }

  it("reads the report into the result", async () => {
    const result = await runWithJunit("mkdir -p reports && echo '<testsuites/>' > reports/junit.xml", "reports/junit.xml");

    expect(result.report).toEqual({ format: "junit-xml", path: "reports/junit.xml", content: "<testsuites/>\n" });
    expect(result.reason).toBeUndefined();
  });

  it("rejects a path escaping with ..", async () => {
    const result = await runWithJunit("true", "../../environment.json");

    expect(result.report).toBeUndefined();
    expect(result.status).toBe("success");
    expect(result.reason).toBe("JUnit report path ../../environment.json escapes the checkout");
  });

  it("rejects a symlink out of the checkout", async () => {
    const result = await runWithJunit("ln -s /etc/passwd junit.xml", "junit.xml");

    expect(result.report).toBeUndefined();
    expect(result.reason).toBe("JUnit report path junit.xml resolves outside the checkout through a symbolic link");
  });

  it("reports a missing file after a failure", async () => {
    const result = await runWithJunit("exit 1", "junit.xml");

    expect(result.reason).toBe("exited with code 1; JUnit report junit.xml not found after the step");
  });
});

describe("local provider unsandboxed", () => {
  it("marks the result and the log", async () => {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state"), sandbox: "none" });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal });

    const result = await provider.runStep({ prepared, step: { name: "build", run: "cat commit.txt; echo $PADDOCK", timeoutSeconds: 30, env: {} }, signal });

    expect(result.status).toBe("success");
    expect(result.outputTail).toBe(`${FIRST_SHA}\n1\n`);
    expect(result.reason).toBe('ran unsandboxed on the host (sandbox: "none")');
    expect(await readFile(result.logPath ?? "", "utf8")).toBe(
      `paddock: WARNING: step build ran unsandboxed on the host (sandbox: "none")\n${FIRST_SHA}\n1\n`,
    );
  });

  it("timeout kills the process group", async () => {
    const provider = createLocalProvider({ stateDir: await makeTemporaryDirectory("state"), sandbox: "none" });
    const prepared = await provider.prepare({ environment: testEnvironment(), source: await directorySource(FIRST_SHA), signal });

    const running = provider.runStep({ prepared, step: { name: "hang", run: START_BACKGROUND_SLEEP, timeoutSeconds: 2, env: {} }, signal });
    const hostPid = Number((await waitForFile(path.join(prepared.location, "sleep.pid"))).split(" ")[0]);
    const result = await running;

    expect(result.status).toBe("timed_out");
    expect(result.reason).toBe('timed out after 2s; ran unsandboxed on the host (sandbox: "none")');
    await expect.poll(() => isProcessRunning(hostPid)).toBe(false);
  });
});
