import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createSampleRepository, FAILING_TEST_LINE } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";

const BUNDLE = join(import.meta.dirname, "../../dist/index.js");

/** Runs the bundled Action the way the runner does: inputs as INPUT_* variables, files for outputs and summary. */
function runBundledAction(options: { workspace: string; payload: unknown; inputs: Record<string, string>; eventName?: string }) {
  const runnerDir = mkdtempSync(join(tmpdir(), "paddock-runner-"));
  const files = { event: join(runnerDir, "event.json"), output: join(runnerDir, "output"), summary: join(runnerDir, "summary.md") };
  writeFileSync(files.event, JSON.stringify(options.payload));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const inputs = Object.fromEntries(Object.entries(options.inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]));
  const result = spawnSync(process.execPath, [BUNDLE], {
    encoding: "utf8",
    env: {
      PATH: process.env.PATH,
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: options.eventName ?? "pull_request",
      GITHUB_EVENT_PATH: files.event,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_WORKSPACE: options.workspace,
      RUNNER_TEMP: runnerDir,
      ...inputs,
    },
  });
  return { ...result, output: readFileSync(files.output, "utf8"), summary: readFileSync(files.summary, "utf8") };
}

describe("bundled Action", () => {
  it("runs up on the checkout and reports outputs, summary and annotations", () => {
    const sample = createSampleRepository();
    // Patched: the head SHA is the sample repository's commit.
    const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });

    const result = runBundledAction({ workspace: sample.directory, payload, inputs: { command: "up", config: ".github/paddock.yml" } });

    expect(result.status).toBe(1);
    expect(result.output).toMatch(/^environment<<ghadelimiter_[\w-]+\nhello-world-pr-\d+-[0-9a-f]{10}\n/m);
    expect(result.output).toMatch(/^conclusion<<ghadelimiter_[\w-]+\nfailure\n/m);
    expect(result.summary.split("\n")[0]).toBe("## 1 of 2 steps passed · 1 test failed");
    expect(result.stdout).toContain(`::error title=multiplies,file=test/math.test.js,line=${FAILING_TEST_LINE}::`);
    expect(result.stdout).toContain("::error::Paddock pipeline concluded failure: 1 of 2 steps passed · 1 test failed");
  });

  it("fails naming an unknown command", () => {
    const sample = createSampleRepository();
    const payload = loadWebhookExample({ name: "pull_request", action: "opened" });

    const result = runBundledAction({ workspace: sample.directory, payload, inputs: { command: "deploy" } });

    expect(result.status).toBe(1);
    expect(result.stdout.trim()).toBe('::error::input command "deploy" is not supported. use one of: up, down, status, audit-verify');
  });

  it("reports status of a branch without an environment", () => {
    const sample = createSampleRepository();
    // Patched: a branch instead of the example's tag, at the sample repository's commit.
    const payload = patchPayload(loadWebhookExample({ name: "push" }), { ref: "refs/heads/copilot/fix-login", after: sample.sha });

    const result = runBundledAction({ workspace: sample.directory, payload, inputs: { command: "status" }, eventName: "push" });

    expect(result.status).toBe(0);
    expect(result.output).toMatch(/^exists<<ghadelimiter_[\w-]+\nfalse\n/m);
    expect(result.output).toMatch(/^environment<<ghadelimiter_[\w-]+\nhello-world-copilot-fix-login-[0-9a-f]{10}\n/m);
    expect(result.summary.split("\n")[0]).toMatch(/^## Environment hello-world-copilot-fix-login-[0-9a-f]{10} does not exist$/);
  });
});
