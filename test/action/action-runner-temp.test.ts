import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ActionProviderFactory } from "../../src/action/create-action-provider.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { runActionStep } from "./action-step.ts";

const HINT = "set RUNNER_TEMP to an existing folder the step can write, or leave it unset; GitHub's runner sets it to the job's temporary folder";
const KUBECONFIG = [
  "apiVersion: v1",
  "kind: Config",
  "clusters: [{ name: test, cluster: { server: 'https://127.0.0.1:6443' } }]",
  "contexts: [{ name: test, context: { cluster: test, user: ci } }]",
  "current-context: test",
  "users: [{ name: ci, user: { token: kube-token-123 } }]",
  "",
].join("\n");

const rejectProvider: ActionProviderFactory = async () => {
  throw new Error("the provider must not be created");
};

/** Runs `status` for an agent's push with RUNNER_TEMP set to `runnerTemp`. */
async function runStatus(runnerTemp: string, inputs: Record<string, string> = {}) {
  const sample = createSampleRepository();
  const payload = patchPayload(loadWebhookExample({ name: "push" }), { ref: "refs/heads/copilot/fix-login", after: sample.sha, "sender.login": "Copilot", "sender.id": 198982749, "sender.type": "Bot" });
  return runActionStep({ eventName: "push", payload, inputs: { command: "status", ...inputs }, workspace: sample.directory, runnerTemp, createProvider: rejectProvider });
}

function errorLines(stdout: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith("::error::"));
}

describe("Action RUNNER_TEMP", () => {
  it("rejects a folder under /proc", { timeout: 10_000 }, async () => {
    const result = await runStatus("/proc/foo");

    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stdout)).toEqual([`::error::RUNNER_TEMP=/proc/foo is invalid: /proc is a kernel file system, where nothing can be stored. ${HINT}`]);
  });

  it("rejects a folder under /sys", { timeout: 10_000 }, async () => {
    const result = await runStatus("/sys/foo");

    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stdout)).toEqual([`::error::RUNNER_TEMP=/sys/foo is invalid: /sys is a kernel file system, where nothing can be stored. ${HINT}`]);
  });

  it("names a missing folder with a kubeconfig", async () => {
    const missing = join(mkdtempSync(join(tmpdir(), "paddock-runner-")), "missing");

    const result = await runStatus(missing, { kubeconfig: KUBECONFIG });

    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stdout)).toEqual([`::error::RUNNER_TEMP=${missing} is invalid: folder not found. ${HINT}`]);
  });

  it("rejects a file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "paddock-runner-")), "file");
    writeFileSync(file, "");

    const result = await runStatus(file);

    expect(result.exitCode).toBe(1);
    expect(errorLines(result.stdout)).toEqual([`::error::RUNNER_TEMP=${file} is not a folder. ${HINT}`]);
  });
});
