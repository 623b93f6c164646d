import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createWorkflowLogger } from "../../action/workflow-log.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { runActionStep } from "./action-step.ts";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Runs `log` against a workflow logger and returns what it printed to stdout. */
function captureWorkflowLog(log: (logger: ReturnType<typeof createWorkflowLogger>) => void, debug = false): string {
  const printed: string[] = [];
  const write = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    printed.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  try {
    log(createWorkflowLogger({ debug }));
  } finally {
    write.mockRestore();
  }
  return printed.join("");
}

describe("Action workflow log", () => {
  it("prints the ledger warning as an annotation on up and down", async () => {
    const sample = createSampleRepository();
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-job-"));
    const payload = patchPayload(loadWebhookExample({ name: "push" }), { ref: "refs/heads/copilot/fix-login", after: sample.sha, "sender.login": "Copilot", "sender.id": 198982749, "sender.type": "Bot" });
    const step = { eventName: "push", payload, workspace: sample.directory, runnerTemp, env: { GITHUB_ACTOR: "Copilot" }, logger: createWorkflowLogger({ debug: false }) };

    const up = await runActionStep({ ...step, inputs: { command: "up", wait: "false" } });
    const down = await runActionStep({ ...step, inputs: { command: "down" } });

    for (const result of [up, down]) {
      const lines = result.stdout.split("\n");
      expect(result.exitCode).toBe(0);
      expect(lines).toContain("::warning::no audit ledger is configured, so audit records stay in the spool");
      expect(lines.filter((line) => line.startsWith("{"))).toEqual([]);
    }
  });

  it("prints an error with its cause and fields", () => {
    const output = captureWorkflowLog((logger) => logger.error({ err: new Error("disk full"), checkRunId: 7 }, "audit flush failed"));

    expect(output).toBe("::error::audit flush failed: disk full (checkRunId=7)\n");
  });

  it("escapes newlines inside a warning", () => {
    const output = captureWorkflowLog((logger) => logger.warn({ detail: "line one\nline two" }, "listing check runs failed"));

    expect(output).toBe("::warning::listing check runs failed (detail=line one%0Aline two)\n");
  });

  it("prints info as plain text and debug as debug commands", () => {
    const output = captureWorkflowLog((logger) => {
      logger.info("environment created");
      logger.debug({ step: "test" }, "step started");
    }, true);

    expect(output).toBe("environment created\n::debug::step started (step=test)\n");
  });

  it("drops info lines without RUNNER_DEBUG", () => {
    const output = captureWorkflowLog((logger) => logger.info("environment created"));

    expect(output).toBe("");
  });
});
