import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { runActionStep } from "./action-step.ts";

/** A step that writes 8,000 bytes: 4,000 lines of "x". */
const LOUD_CONFIG = "steps:\n  - name: loud\n    run: for i in $(seq 4000); do echo x; done\n    timeout: 1m\n";
const RUN_ENV = { GITHUB_ACTOR: "Codertocat", GITHUB_REPOSITORY: "Codertocat/Hello-World", GITHUB_RUN_ID: "9001", GITHUB_SERVER_URL: "https://github.com" };

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Runs `up` on a pull request whose one step is loud, and returns the step's result with its log file. */
async function runLoudStep(options: { inputs?: Record<string, string>; env?: Record<string, string> }) {
  const sample = createSampleRepository({ files: { ".github/paddock.yml": LOUD_CONFIG } });
  // Patched: the head SHA is the sample repository's commit.
  const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
  const result = await runActionStep({ eventName: "pull_request", payload, inputs: { command: "up", ...options.inputs }, workspace: sample.directory, env: { ...RUN_ENV, ...options.env } });
  const logs = findLogs(join(result.runnerTemp, "paddock"));
  return { result, logs };
}

/** Lists the loud step's log files under the Action's state folder; none when the folder was never created. */
function findLogs(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { recursive: true, encoding: "utf8" })
    .filter((entry) => entry.endsWith("loud.log"))
    .map((entry) => join(directory, entry));
}

describe("Action log cap", () => {
  it("keeps the whole log under the default", async () => {
    const { result, logs } = await runLoudStep({});

    expect(result.outputs.conclusion).toBe("success");
    expect(logs).toHaveLength(1);
    expect(statSync(logs[0]!).size).toBe(8000);
  });

  it("caps the log at the input", async () => {
    const { result, logs } = await runLoudStep({ inputs: { "log-max-bytes": "2048" }, env: { PADDOCK_LOG_MAX_BYTES: "4096" } });

    expect(result.outputs.conclusion).toBe("success");
    const text = readFileSync(logs[0]!, "utf8");
    expect(text).toContain("paddock: 5952 bytes of output dropped here");
    expect(text.replace(/\npaddock: .*\n/, "")).toBe("x\n".repeat(1024));
  });

  it("caps the log at PADDOCK_LOG_MAX_BYTES", async () => {
    const { result, logs } = await runLoudStep({ env: { PADDOCK_LOG_MAX_BYTES: "4096" } });

    expect(result.outputs.conclusion).toBe("success");
    const text = readFileSync(logs[0]!, "utf8");
    expect(text).toContain("paddock: 3904 bytes of output dropped here");
    expect(text.replace(/\npaddock: .*\n/, "")).toBe("x\n".repeat(2048));
  });

  it("fails on an invalid input", async () => {
    const { result, logs } = await runLoudStep({ inputs: { "log-max-bytes": "20MiB" } });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('::error::input log-max-bytes is "20MiB", which is not a whole number of bytes from 1024 to 1073741824.');
    expect(logs).toEqual([]);
  });

  it("fails on an invalid variable", async () => {
    const { result, logs } = await runLoudStep({ env: { PADDOCK_LOG_MAX_BYTES: "512" } });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("::error::PADDOCK_LOG_MAX_BYTES=512 is invalid. set a whole number of bytes from 1024 to 1073741824");
    expect(logs).toEqual([]);
  });
});
