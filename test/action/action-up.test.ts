import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository, FAILING_TEST_LINE } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { runActionStep } from "./action-step.ts";

const TOKEN = "ghp_actiontesttoken0001";
const RUN_ENV = {
  GITHUB_ACTOR: "Codertocat",
  GITHUB_REPOSITORY: "Codertocat/Hello-World",
  GITHUB_RUN_ID: "9001",
  GITHUB_RUN_ATTEMPT: "2",
  GITHUB_SERVER_URL: "https://github.com",
};
const RUN_URL = "https://github.com/Codertocat/Hello-World/actions/runs/9001/attempts/2";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Builds a real opened payload whose head is the sample repository's commit. */
function openedPayload(sha: string) {
  // Patched: the head SHA is the sample repository's commit.
  return patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sha });
}

/** Builds a real push payload moved to an agent's branch and commit, pushed by Copilot. */
function agentPushPayload(sha: string) {
  // Patched: a branch instead of the example's tag, the sample commit, and Copilot as the sender.
  return patchPayload(loadWebhookExample({ name: "push" }), {
    ref: "refs/heads/copilot/fix-login",
    after: sha,
    "sender.login": "Copilot",
    "sender.id": 198982749,
    "sender.type": "Bot",
  });
}

/** Reads the records the audit trail spooled under the runner's temporary folder. */
function readSpooledRecords(runnerTemp: string): Array<Record<string, unknown>> {
  const lines = readFileSync(join(runnerTemp, "paddock", "audit", "audit-spool.jsonl"), "utf8").trim().split("\n");
  return lines.map((line) => JSON.parse(line) as { append?: Record<string, unknown> }).flatMap((entry) => (entry.append ? [entry.append] : []));
}

describe("Action up on a pull request", () => {
  it("runs the steps and posts the check run", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up", "github-token": TOKEN }, workspace: sample.directory, env: RUN_ENV });

    const environment = result.outputs.environment!;
    expect(environment).toMatch(/^hello-world-pr-2-[0-9a-f]{10}$/);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBe("failure");
    expect(result.outputs.namespace).toBe("");
    expect(result.outputs["check-run-id"]).toBe("1");
    expect(result.outputs.url).toBe("https://github.com/Codertocat/Hello-World/runs/1");
    expect(result.outputs.cost).toMatch(/^(\d+\.\d{4}|< 0\.0001) USD$/);
    expect(result.outputs["cost-amount"]).toMatch(/^\d+\.\d{9}$/);
    expect(Number(result.outputs["cost-amount"])).toBeGreaterThan(0);
    expect(result.outputs["cost-currency"]).toBe("USD");
    expect(result.summary.split("\n")[0]).toBe("## 1 of 2 steps passed · 1 test failed");
    expect(result.stdout).toContain(`::add-mask::${TOKEN}\n`);
    expect(result.stdout).toContain(`::error title=multiplies,file=test/math.test.js,line=${FAILING_TEST_LINE}::`);
    expect(result.stdout).toContain("::error::Paddock pipeline concluded failure: 1 of 2 steps passed · 1 test failed");

    const [checkRun, ...others] = fake.checkRuns();
    expect(others).toEqual([]);
    expect(checkRun?.name).toBe(`paddock / ${environment}`);
    expect(checkRun?.head_sha).toBe(sample.sha);
    expect(checkRun?.external_id).toBe(environment);
    expect(checkRun?.conclusion).toBe("failure");
    expect(checkRun?.output.title).toBe("1 of 2 steps passed · 1 test failed");
  });

  it("records the run in the audit spool", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up", "github-token": TOKEN }, workspace: sample.directory, env: RUN_ENV });

    const records = readSpooledRecords(result.runnerTemp);
    expect(records.map((record) => record.action)).toEqual(["environment.created", "step.started", "step.finished", "step.started", "step.finished"]);
    for (const record of records) {
      expect(record.actor).toEqual({ login: "Codertocat", id: 21031067, type: "User" });
      expect(record.agent).toBeNull();
      expect(record.pullRequest).toBe(2);
      expect(record.headSha).toBe(sample.sha);
      expect(record.checkRunId).toBe(1);
      expect(record.deliveryId).toBe(RUN_URL);
    }
    expect(result.stdout).toContain("::notice title=Paddock audit%3A environment.created,file=.github/paddock.yml,line=1::environment.created by Codertocat on Codertocat/Hello-World#2");
  });

  it("reuses the check run when the workflow runs again", async () => {
    const sample = createSampleRepository();
    const step = { eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up", "github-token": TOKEN }, workspace: sample.directory, env: RUN_ENV };

    await runActionStep(step);
    const again = await runActionStep(step);

    const checkRuns = fake.checkRuns();
    expect(again.outputs["check-run-id"]).toBe("1");
    expect(checkRuns).toHaveLength(1);
    expect(checkRuns[0]?.conclusion).toBe("failure");
    expect(fake.calls.filter((call) => call.method === "POST").length).toBe(1);
  });

  it("posts no check run without a token", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up" }, workspace: sample.directory, env: RUN_ENV });

    expect(result.outputs.conclusion).toBe("failure");
    expect(result.outputs["check-run-id"]).toBe("");
    expect(result.outputs.url).toBe("https://github.com/Codertocat/Hello-World/actions/runs/9001");
    expect(fake.calls).toEqual([]);
    expect(readSpooledRecords(result.runnerTemp).every((record) => record.checkRunId === null)).toBe(true);
  });

  it("downloads a head commit missing from the checkout", async () => {
    const sample = createSampleRepository();
    const workspace = mkdtempSync(join(tmpdir(), "paddock-no-git-"));
    cpSync(sample.directory, workspace, { recursive: true });
    rmSync(join(workspace, ".git"), { recursive: true });
    fake.setTarball({ owner: "Codertocat", repo: "Hello-World", ref: sample.sha, directory: sample.directory, sha: sample.sha });

    const result = await runActionStep({ eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up", "github-token": TOKEN }, workspace, env: RUN_ENV });

    expect(result.summary.split("\n")[0]).toBe("## 1 of 2 steps passed · 1 test failed");
    expect(fake.downloads.map((download) => download.status)).toEqual([200]);
  });

  it("fails without the commit or a token", async () => {
    const sample = createSampleRepository();
    const workspace = mkdtempSync(join(tmpdir(), "paddock-no-git-"));
    cpSync(sample.directory, workspace, { recursive: true });
    rmSync(join(workspace, ".git"), { recursive: true });

    const result = await runActionStep({ eventName: "pull_request", payload: openedPayload(sample.sha), inputs: { command: "up" }, workspace, env: RUN_ENV });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBe("failure");
    expect(result.stdout).toContain(
      `::error::the source of commit ${sample.sha.slice(0, 7)} cannot be fetched: commit ${sample.sha.slice(0, 7)} is not in the checkout ${workspace}. check out that commit (actions/checkout with \`ref: \${{ github.event.pull_request.head.sha }}\`), or set github-token so Paddock downloads it\n`,
    );
  });

  it("denies a run the org policy forbids", async () => {
    const sample = createSampleRepository({ files: { "policy.yml": "profiles:\n  human:\n    resources: { cpu: 500m }\n" } });

    const result = await runActionStep({
      eventName: "pull_request",
      payload: openedPayload(sample.sha),
      inputs: { command: "up", "github-token": TOKEN, "org-policy": "policy.yml" },
      workspace: sample.directory,
      env: RUN_ENV,
    });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBe("failure");
    expect(result.summary.split("\n")[0]).toBe("## Nothing ran: denied by policy");
    expect(result.stdout).toContain("::error title=Exceeds org policy%3A profiles.human.resources.cpu,file=.github/paddock.yml,line=2::environment.resources.cpu 1 exceeds profiles.human.resources.cpu 500m\n");
    expect(fake.checkRuns()[0]?.conclusion).toBe("failure");
    expect(readSpooledRecords(result.runnerTemp).map((record) => record.action)).toEqual(["policy.denied"]);
  });
});

describe("Action up on a branch", () => {
  it("recognizes Copilot pushing an agent branch", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "up", "github-token": TOKEN }, workspace: sample.directory, env: { ...RUN_ENV, GITHUB_ACTOR: "Copilot" } });

    expect(result.outputs.environment).toMatch(/^hello-world-copilot-fix-login-[0-9a-f]{10}$/);
    expect(result.outputs["check-run-id"]).toBe("");
    expect(fake.calls).toEqual([]);
    const records = readSpooledRecords(result.runnerTemp);
    expect(records[0]?.action).toBe("environment.created");
    expect(records[0]?.agent).toEqual({ app: "copilot", signals: ["login Copilot"] });
    expect(records[0]?.actor).toEqual({ login: "Copilot", id: 198982749, type: "Bot" });
    expect(records[0]?.pullRequest).toBeNull();
    expect(records[0]?.branch).toBe("copilot/fix-login");
  });

  it("runs the steps the steps input names on workflow_dispatch", async () => {
    const sample = createSampleRepository();
    const payload = patchPayload(loadWebhookExample({ name: "workflow_dispatch" }), { ref: "refs/heads/main" });

    const result = await runActionStep({
      eventName: "workflow_dispatch",
      payload,
      inputs: { command: "up", steps: "  build  \n\n" },
      workspace: sample.directory,
      env: { ...RUN_ENV, GITHUB_SHA: sample.sha },
    });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.conclusion).toBe("success");
    expect(result.summary.split("\n")[0]).toBe("## 1 of 1 step passed");
  });

  it("only prepares the environment when wait is false", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "up", wait: "False" }, workspace: sample.directory, env: { ...RUN_ENV, GITHUB_ACTOR: "Copilot" } });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.conclusion).toBe("neutral");
    expect(result.outputs.cost).toBe("");
    expect(result.outputs["cost-amount"]).toBe("");
    expect(result.outputs["cost-currency"]).toBe("");
    expect(result.summary).toContain(`Environment ready for commit ${sample.sha.slice(0, 7)}: no step ran, because input wait is false`);
    expect(readSpooledRecords(result.runnerTemp).map((record) => record.action)).toEqual(["environment.created"]);
  });

  it("stops the run when the timeout passes", async () => {
    const config = "steps:\n  - name: slow\n    run: sleep 30\n    timeout: 1m\n";
    const sample = createSampleRepository({ files: { ".github/paddock.yml": config } });

    const started = Date.now();
    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "up", timeout: "2s" }, workspace: sample.directory, env: RUN_ENV });

    expect(Date.now() - started).toBeLessThan(20_000);
    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBe("timed_out");
    expect(result.summary).toContain("Timed out: up did not finish within the timeout of 2s");
  });
});

