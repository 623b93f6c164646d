import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ActionProviderFactory } from "../../src/action/create-action-provider.ts";
import type { Provider } from "../../src/providers/provider.ts";
import { buildLedger } from "../audit/support/build-ledger.ts";
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

/** Builds a real push payload moved to an agent's branch, pushed by Copilot. */
function agentPushPayload(sha: string) {
  // Patched: a branch instead of the example's tag, the sample commit, and Copilot as the sender.
  return patchPayload(loadWebhookExample({ name: "push" }), { ref: "refs/heads/copilot/fix-login", after: sha, "sender.login": "Copilot", "sender.id": 198982749, "sender.type": "Bot" });
}

/** Builds a provider that rejects every call but the ones a test overrides. */
function stubProvider(overrides: Partial<Provider>): Provider {
  const unexpected = () => Promise.reject(new Error("unexpected provider call"));
  const provider: Provider = { kind: "kubernetes", prepare: unexpected, runStep: unexpected, teardown: unexpected, annotate: unexpected, listEnvironments: async () => [] };
  return { ...provider, ...overrides };
}

function readSpooledActions(runnerTemp: string): Array<Record<string, unknown>> {
  const lines = readFileSync(join(runnerTemp, "paddock", "audit", "audit-spool.jsonl"), "utf8").split("\n").filter((line) => line !== "");
  return lines.map((line) => JSON.parse(line) as { append?: Record<string, unknown> }).flatMap((entry) => (entry.append ? [entry.append] : []));
}

describe("Action status and down", () => {
  it("report and remove an agent branch's environment", async () => {
    const sample = createSampleRepository();
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-job-"));
    const step = { eventName: "push", payload: agentPushPayload(sample.sha), workspace: sample.directory, runnerTemp, env: { GITHUB_ACTOR: "Copilot" } };

    await runActionStep({ ...step, inputs: { command: "up", wait: "false" } });
    const live = await runActionStep({ ...step, inputs: { command: "status" } });
    const down = await runActionStep({ ...step, inputs: { command: "down" } });
    const gone = await runActionStep({ ...step, inputs: { command: "status" } });

    expect(live.exitCode).toBe(0);
    expect(live.outputs.exists).toBe("true");
    expect(live.outputs["head-sha"]).toBe(sample.sha);
    expect(live.outputs["expires-at"]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(live.summary).toContain(`| head commit | ${sample.sha} |`);
    expect(live.summary).toContain("| actor | Copilot (agent) |");
    expect(down.exitCode).toBe(0);
    expect(down.outputs.conclusion).toBe("success");
    expect(down.summary.split("\n")[0]).toBe(`## Environment ${live.outputs.environment} torn down`);
    expect(gone.outputs.exists).toBe("false");
    expect(gone.outputs["head-sha"]).toBe("");
    const teardown = readSpooledActions(runnerTemp).at(-1);
    expect(teardown?.action).toBe("environment.torn_down");
    expect(teardown?.teardownReason).toBe("requested");
    expect(teardown?.agent).toEqual({ app: "copilot", signals: ["login Copilot"] });
    expect(teardown?.branch).toBe("copilot/fix-login");
  });

  it("down succeeds when the environment is already gone", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "down" }, workspace: sample.directory });

    expect(result.exitCode).toBe(0);
    expect(result.summary.split("\n")[0]).toBe(`## Environment ${result.outputs.environment} was already gone`);
    expect(existsSync(join(result.runnerTemp, "paddock", "audit", "audit-spool.jsonl"))).toBe(true);
    expect(readSpooledActions(result.runnerTemp)).toEqual([]);
  });

  it("down records a closed pull request as closed", async () => {
    const sample = createSampleRepository();
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-job-"));
    // Patched: the head SHA is the sample repository's commit.
    const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened" }), { "pull_request.head.sha": sample.sha });
    const closed = loadWebhookExample({ name: "pull_request", action: "closed" });

    const up = await runActionStep({ eventName: "pull_request", payload: opened, inputs: { command: "up", wait: "false" }, workspace: sample.directory, runnerTemp });
    const down = await runActionStep({ eventName: "pull_request", payload: closed, inputs: { command: "down" }, workspace: sample.directory, runnerTemp });

    expect(down.outputs.environment).toBe(up.outputs.environment);
    expect(readSpooledActions(runnerTemp).at(-1)?.teardownReason).toBe("closed");
  });

  it("down finds a deleted branch's environment", async () => {
    const sample = createSampleRepository();
    const runnerTemp = mkdtempSync(join(tmpdir(), "paddock-job-"));
    // Patched: a deleted branch instead of the example's tag.
    const deleted = patchPayload(loadWebhookExample({ name: "delete" }), { ref: "copilot/fix-login", ref_type: "branch" });

    const up = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "up", wait: "false" }, workspace: sample.directory, runnerTemp });
    const down = await runActionStep({ eventName: "delete", payload: deleted, inputs: { command: "down" }, workspace: sample.directory, runnerTemp });

    expect(down.exitCode).toBe(0);
    expect(down.outputs.environment).toBe(up.outputs.environment);
    expect(down.summary.split("\n")[0]).toBe(`## Environment ${up.outputs.environment} torn down`);
  });

  it("up rejects a closed pull request", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "pull_request", payload: loadWebhookExample({ name: "pull_request", action: "closed" }), inputs: { command: "up" }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("::error::pull request #2 is closed, so it gets no environment. run command down when a pull request closes\n");
  });
});

describe("Action audit-verify", () => {
  it("passes an intact ledger", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    buildLedger({ batches: [{ count: 3, now: new Date("2026-12-04T10:00:00Z") }] }).writeCheckout(checkout);

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-path": "." }, workspace: checkout });

    expect(result.exitCode).toBe(0);
    expect(result.outputs.conclusion).toBe("success");
    expect(result.summary).toBe("## Audit chain holds: 3 records, 0 checkpoints, signatures not checked: set audit-public-key to check them. Records 1-3 are not signed, because no checkpoint covers them.\n\n");
  });

  it("fails naming the first bad sequence", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    const ledger = buildLedger({ batches: [{ count: 3, now: new Date("2026-12-04T10:00:00Z") }] });
    ledger.writeCheckout(join(workspace, "audit"));
    const [recordFile] = ledger.recordFiles();
    const path = join(workspace, "audit", recordFile!.path);
    const lines = readFileSync(path, "utf8").split("\n");
    lines[1] = JSON.stringify({ ...JSON.parse(lines[1]!), branch: "rewritten" });
    writeFileSync(path, lines.join("\n"));

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-path": "audit" }, workspace });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBe("failure");
    expect(result.stdout).toMatch(/^::error::Audit chain broken at sequence 2 \(altered\): /);
  });

  it("checks signatures with a PEM text or path key", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    buildLedger({ batches: [{ count: 3, now: new Date("2026-12-04T10:00:00Z") }], signer: { privateKey, interval: 2 } }).writeCheckout(checkout);
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    writeFileSync(join(checkout, "audit-signing.pub.pem"), publicPem);

    for (const key of [publicPem, "audit-signing.pub.pem"]) {
      const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-public-key": key }, workspace: checkout });

      expect(result.exitCode).toBe(0);
      expect(result.summary).toBe("## Audit chain holds: 3 records, 1 checkpoints, signatures verified. Record 3 follows the last checkpoint and is not signed.\n\n");
    }
  });

  it("names a missing public key file", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    buildLedger({ batches: [{ count: 1, now: new Date("2026-12-04T10:00:00Z") }] }).writeCheckout(checkout);

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-public-key": "missing.pem" }, workspace: checkout });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("::error::input audit-public-key=missing.pem: file not found. set the Ed25519 public key's PEM text, or the path of a PEM file in the checkout\n");
  });

  it.each([
    ["an absolute path", (outside: string) => outside],
    ["a path through ..", (outside: string) => `../${basename(outside)}`],
  ])("rejects %s outside the workspace", async (_label, toInput) => {
    const parent = mkdtempSync(join(tmpdir(), "paddock-runner-"));
    const workspace = join(parent, "workspace");
    const outside = join(parent, "ledger");
    mkdirSync(workspace);
    buildLedger({ batches: [{ count: 1, now: new Date("2026-12-04T10:00:00Z") }] }).writeCheckout(outside);
    const auditPath = toInput(outside);

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-path": auditPath }, workspace });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBeUndefined();
    expect(result.stdout).toBe(`::error::input audit-path ${auditPath} resolves outside the workspace. check out the audit repository inside the workspace, such as with actions/checkout's path: paddock-audit\n`);
  });

  it("rejects a link to a ledger outside the workspace", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-workspace-"));
    const outside = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    buildLedger({ batches: [{ count: 1, now: new Date("2026-12-04T10:00:00Z") }] }).writeCheckout(outside);
    symlinkSync(outside, join(workspace, "audit"));

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-path": "audit" }, workspace });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("::error::input audit-path audit resolves outside the workspace. check out the audit repository inside the workspace, such as with actions/checkout's path: paddock-audit\n");
  });

  it("fails for a folder without a ledger", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "paddock-ledger-"));
    mkdirSync(join(workspace, "audit"));

    const result = await runActionStep({ eventName: "schedule", payload: {}, inputs: { command: "audit-verify", "audit-path": "audit" }, workspace });

    expect(result.exitCode).toBe(1);
    expect(result.outputs.conclusion).toBeUndefined();
    expect(result.stdout).toContain(`::error::${join(workspace, "audit")} is not an audit ledger: it has no head.json`);
  });
});

describe("Action inputs", () => {
  it("masks the kubeconfig's credentials first", async () => {
    const key = Buffer.from("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n").toString("base64");
    const kubeconfig = [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{ name: test, cluster: { server: 'https://127.0.0.1:6443' } }]",
      "contexts: [{ name: test, context: { cluster: test, user: ci } }]",
      "current-context: test",
      "users:",
      "  - name: ci",
      "    user:",
      "      token: kube-token-123",
      "      password: hunter2",
      `      client-key-data: ${key}`,
      "      auth-provider: { name: oidc, config: { client-secret: oidc-secret, id-token: oidc-id-token } }",
      "      exec: { command: get-token, apiVersion: client.authentication.k8s.io/v1, env: [{ name: SECRET, value: exec-secret }] }",
      "",
    ].join("\n");
    const seen: Array<{ path: string | undefined; mode: number }> = [];
    const createProvider: ActionProviderFactory = async ({ kubeconfigPath }) => {
      seen.push({ path: kubeconfigPath, mode: statSync(kubeconfigPath!).mode & 0o777 });
      return stubProvider({});
    };
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "status", kubeconfig }, workspace: sample.directory, createProvider });

    expect(result.stdout.split("\n").filter((line) => line.startsWith("::add-mask::"))).toEqual([
      "::add-mask::kube-token-123",
      "::add-mask::hunter2",
      `::add-mask::${key}`,
      "::add-mask::MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
      "::add-mask::BKcwggSjAgEAAoIBAQC7",
      "::add-mask::oidc-secret",
      "::add-mask::oidc-id-token",
      "::add-mask::exec-secret",
    ]);
    expect(result.stdout.startsWith("::add-mask::kube-token-123\n")).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.mode).toBe(0o600);
    expect(existsSync(seen[0]!.path!)).toBe(false);
    expect(result.stdout).not.toContain("apiVersion");
    expect(result.outputs.exists).toBe("false");
  });

  it.each([
    ["invalid YAML", "users: [\n  token: abc\n", "input kubeconfig is not a valid kubeconfig. pass the whole kubeconfig file, such as a secret that contains its YAML"],
    ["no current cluster", "apiVersion: v1\nkind: Config\nusers: [{ name: ci, user: { token: abc } }]\n", "input kubeconfig has no current cluster. set current-context to a context whose cluster is listed"],
  ])("rejects a kubeconfig with %s", async (_case, kubeconfig, message) => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "status", kubeconfig }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout.split("\n").filter((line) => line.startsWith("::error::"))).toEqual([`::error::${message}`]);
    expect(result.stdout).not.toContain("::add-mask::apiVersion");
  });

  it("fails a throw that is not an Error", async () => {
    const sample = createSampleRepository();
    const createProvider: ActionProviderFactory = async () => stubProvider({ listEnvironments: () => Promise.reject("kaput") });

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "status" }, workspace: sample.directory, createProvider });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("::error::Paddock failed: kaput\n");
  });

  it.each([
    ["wait", { wait: "yes" }, 'input wait is "yes", which is not a boolean. use one of: true, True, TRUE, false, False, FALSE'],
    ["wait", { wait: "1" }, 'input wait is "1", which is not a boolean. use one of: true, True, TRUE, false, False, FALSE'],
    ["steps", { steps: " build \n\n  lint  \n" }, 'input steps names "lint", which is not a step of .github/paddock.yml. use step names from that file: build, test'],
    ["timeout", { timeout: "ten minutes" }, 'input timeout is "ten minutes", which is not a duration. use whole units such as 90s, 10m, 2h or 1h30m'],
    ["timeout", { timeout: "0s" }, "input timeout is 0s, which is out of range. use more than 0s and at most 2147483s"],
    ["command", { command: "deploy" }, 'input command "deploy" is not supported. use one of: up, down, status, audit-verify'],
  ])("rejects an invalid %s input", async (_name, inputs, message) => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "push", payload: agentPushPayload(sample.sha), inputs: { command: "up", ...inputs }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe(`::error::${message}\n`);
  });

  it("rejects an event it cannot key", async () => {
    const sample = createSampleRepository();

    const result = await runActionStep({ eventName: "issues", payload: loadWebhookExample({ name: "issues" }), inputs: { command: "up" }, workspace: sample.directory });

    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("::error::event issues is not supported by the Paddock Action. run the step on pull_request, push, workflow_dispatch, delete\n");
  });
});
