import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileAuditSpool } from "../../src/audit/file-audit-spool.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { PREVIEW_DEPLOYMENT_ANNOTATION } from "../../src/github/preview-deployment.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { createAuditTrail } from "../../src/service/audit-trail.ts";
import { INSTALLATION_ANNOTATION } from "../../src/service/run-annotations.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { serveOrgPolicy } from "../policy/support/serve-org-policy.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";
import { createRecordingRouter } from "./recording-router.ts";
import { statusObject } from "./deployment-fixtures.ts";
import { pullRequestPayload, QUICK_CONFIG, servePullRequest, shaOf } from "./governance-fixtures.ts";

const POLICY_PATH = ".github/paddock-policy.yml";
const ORG_REPOSITORY = { "repository.id": 999_100, "repository.name": ".github", "repository.full_name": "Codertocat/.github" };
const STRICTER = "profiles:\n  human:\n    resources: { cpu: 500m }\n";
const LIVE_SHA = shaOf("1");
/** The Copilot coding agent as GitHub sends it as a push's sender. */
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };
const AGENT_BRANCH = "copilot/fix-login";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
  fake.setDefaultBranch({ owner: "Codertocat", repo: ".github", branch: "master" });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Runs a human pull request in Codertocat/Hello-World so that one environment is live. */
async function startLiveEnvironment(app: AppUnderTest): Promise<string> {
  const payload = pullRequestPayload("opened", LIVE_SHA);
  servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
  const name = nameEnvironment({ repositoryName: payload.repository.name, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
  expect(existsSync(join(app.stateDir, "environments", name))).toBe(true);
  return name;
}

/** Opens a pull request on Codertocat/.github whose head contains `policy` (none when undefined). */
async function openPolicyPullRequest(app: AppUnderTest, options: { sha: string; policy?: string; basePolicy?: string }) {
  const payload = pullRequestPayload("opened", options.sha, { ...ORG_REPOSITORY, "pull_request.head.repo.full_name": "Codertocat/.github" });
  if (options.policy !== undefined) fake.setFile({ owner: "Codertocat", repo: ".github", ref: options.sha, path: POLICY_PATH, content: options.policy });
  if (options.basePolicy !== undefined) fake.setFile({ owner: "Codertocat", repo: ".github", ref: "master", path: POLICY_PATH, content: options.basePolicy });
  fake.setPullRequest({ owner: "Codertocat", repo: ".github", pullRequest: payload.pull_request });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
}

/** Builds a real push payload, moved to the default branch of Codertocat/.github, with one commit that changes `modified`. */
function pushPayload(options: { after: string; modified: string[] }) {
  const example = loadWebhookExample({ name: "push", withInstallation: true });
  const commit = {
    id: options.after,
    tree_id: shaOf("e"),
    distinct: true,
    message: "Tighten the org policy",
    timestamp: "2026-12-04T10:00:00Z",
    url: `https://github.com/Codertocat/.github/commit/${options.after}`,
    author: { name: "Codertocat", email: "21031067+Codertocat@users.noreply.github.com", username: "Codertocat" },
    committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
    added: [],
    removed: [],
    modified: options.modified,
  };
  return patchPayload(example, { ...ORG_REPOSITORY, ref: "refs/heads/master", after: options.after, commits: [commit], head_commit: commit });
}

/** Builds a real push payload moved to the agent branch of Codertocat/Hello-World, pushed by Copilot. */
function agentPushPayload(after: string) {
  const template = loadWebhookExample({ name: "push", withInstallation: true });
  // Patched: the recorded push with an installation deletes a tag; these fields make it a branch push.
  return patchPayload(template, { ref: `refs/heads/${AGENT_BRANCH}`, after, created: false, deleted: false, "sender.login": COPILOT.login, "sender.id": COPILOT.id, "sender.type": COPILOT.type });
}

/** Serves a commit of Codertocat/Hello-World with QUICK_CONFIG and returns its SHA. `marker` makes the SHA distinct. */
function serveAgentCommit(marker: string): string {
  const config = `${QUICK_CONFIG}# ${marker}\n`;
  const sample = createSampleRepository({ files: { ".github/paddock.yml": config } });
  fake.setFile({ owner: "Codertocat", repo: "Hello-World", ref: sample.sha, path: ".github/paddock.yml", content: config });
  fake.setTarball({ owner: "Codertocat", repo: "Hello-World", ref: sample.sha, directory: sample.directory, sha: sample.sha });
  return sample.sha;
}

/** Opens an audit trail that spools to a fresh folder. */
async function openAudit() {
  const spool = await openFileAuditSpool({ directory: mkdtempSync(join(tmpdir(), "paddock-policy-audit-")) });
  return { spool, audit: createAuditTrail({ spool, logger: pino({ level: "silent" }) }) };
}

function policyRuns() {
  return fake.checkRuns().filter((run) => run.name === "paddock / policy");
}

describe("org policy pull request", () => {
  it("lists the live environments a stricter policy would deny", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);

    await openPolicyPullRequest(app, { sha: shaOf("2"), policy: STRICTER });

    const [review] = policyRuns();
    expect([review?.repo, review?.head_sha, review?.conclusion, review?.output.title]).toEqual([".github", shaOf("2"), "success", "Valid policy: 1 of 1 live environments denied, 0 shrunk"]);
    expect(review?.output.summary).toBe(
      [
        `**Valid org policy Codertocat/.github/${POLICY_PATH}@${shaOf("2").slice(0, 12)}.**`,
        `**Would be denied (flagged on their pull requests after merge):**\n- \`${live}\` (Codertocat/Hello-World#2, human): cpu 1, set by the repository, exceeds profiles.human.resources.cpu 500m`,
      ].join("\n\n"),
    );
  });

  it("fails an invalid policy with an annotation at the line", async () => {
    const app = await startApp();

    await openPolicyPullRequest(app, { sha: shaOf("3"), policy: "profiles:\n  human:\n    resources: { cpu: 2 cores }\n" });

    const [review] = policyRuns();
    expect([review?.conclusion, review?.output.title]).toEqual(["failure", "Invalid org policy: 1 problem"]);
    expect(review?.annotations).toEqual([
      {
        path: POLICY_PATH,
        start_line: 3,
        end_line: 3,
        annotation_level: "failure",
        title: "Invalid org policy: profiles.human.resources.cpu",
        message: 'profiles.human.resources.cpu: invalid CPU quantity "2 cores": use a positive Kubernetes quantity such as 1, 0.5 or 500m',
      },
    ]);
  });

  it("posts no review when the policy file is unchanged", async () => {
    const app = await startApp();

    await openPolicyPullRequest(app, { sha: shaOf("4"), policy: STRICTER, basePolicy: STRICTER });

    expect(policyRuns()).toEqual([]);
  });
});

describe("org policy merge", () => {
  it("flags live environments the merged policy denies", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: STRICTER, commitSha: shaOf("5"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("5"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(policyRuns().map((run) => [run.repo, run.head_sha, run.conclusion, run.output.title])).toEqual([
      ["Hello-World", LIVE_SHA, "neutral", "Flagged: the org policy changed"],
      [".github", shaOf("5"), "success", "Valid policy: 1 of 1 live environments denied, 0 shrunk"],
    ]);
    expect(policyRuns()[0]?.output.summary).toContain(`- cpu 1, set by the repository, exceeds profiles.human.resources.cpu 500m`);
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(true);
  });

  it("tears down live environments when the policy says so", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("6"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("6"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(policyRuns().map((run) => [run.repo, run.output.title])).toEqual([
      ["Hello-World", "Torn down: the org policy changed"],
      [".github", "Valid policy: 1 of 1 live environments denied, 0 shrunk"],
    ]);
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
  });

  it("marks a torn-down environment's preview inactive", async () => {
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    // The environment's preview deployment, as a run with a preview host records it.
    await createLocalProvider({ stateDir: app.stateDir, logger: pino({ level: "silent" }) }).annotate({ environmentName: live, annotations: { [PREVIEW_DEPLOYMENT_ANNOTATION]: "4711" } });
    const statuses: Array<{ path: string; body: unknown }> = [];
    fake.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (request) => {
      statuses.push({ path: request.path, body: request.body });
      return jsonResponse(201, statusObject(request.body as { state: string }));
    });
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("8"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("8"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
    expect(statuses).toEqual([{ path: "/repos/Codertocat/Hello-World/deployments/4711/statuses", body: { state: "inactive", description: "Environment torn down: policy" } }]);
  });

  it("records a policy teardown in the audit trail", async () => {
    const { spool, audit } = await openAudit();
    const app = await startApp({ audit });
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("9"), branch: "master" });
    const push = pushPayload({ after: shaOf("9"), modified: [POLICY_PATH] });

    await app.receive({ name: "push", payload: push, id: "delivery-policy" });
    await app.service.onIdle();

    const tornDown = (await spool.list({ limit: 100 })).filter((record) => record.action === "environment.torn_down");
    expect(tornDown).toHaveLength(1);
    expect(tornDown[0]).toMatchObject({
      teardownReason: "policy",
      deliveryId: "delivery-policy",
      actor: { login: push.sender!.login, id: push.sender!.id },
      repository: { fullName: "Codertocat/Hello-World" },
      pullRequest: 2,
      environment: { name: live },
    });
  });

  it("pre-empts a branch's queued run", async () => {
    const agentPolicy = "profiles:\n  agent:\n    resources: { cpu: 500m }\nonPolicyChange: teardown\n";
    const first = serveAgentCommit("first");
    const queued = serveAgentCommit("queued");
    const app = await startApp({ quietMs: 4_000 });
    // The default branch's config sets the cpu, so the stricter policy denies rather than shrinks.
    fake.setFile({ owner: "Codertocat", repo: "Hello-World", ref: "master", path: ".github/paddock.yml", content: QUICK_CONFIG });
    // The agent branch has no open pull request.
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, []));
    const live = nameEnvironment({ repositoryName: "Hello-World", key: { repositoryId: agentPushPayload(first).repository.id, branch: AGENT_BRANCH } });
    await app.receive({ name: "push", payload: agentPushPayload(first) });
    await app.service.onIdle();
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(true);
    serveOrgPolicy(fake, { owner: "Codertocat", text: agentPolicy, commitSha: shaOf("a"), branch: "master" });

    // The queued commit waits out its quiet time while the policy push tears the environment down.
    await app.receive({ name: "push", payload: agentPushPayload(queued) });
    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("a"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    const queuedRun = fake.checkRuns().find((run) => run.head_sha === queued);
    expect([queuedRun?.status, queuedRun?.conclusion]).toEqual(["completed", "cancelled"]);
    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
  });

  it("hands a policy teardown to the key's owner", async () => {
    const { spool, audit } = await openAudit();
    const router = createRecordingRouter();
    const app = await startApp({ audit, router });
    const live = await startLiveEnvironment(app);
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("c"), branch: "master" });

    // 1. The push reaches a replica that does not own the environment's key.
    router.owned = false;
    const push = pushPayload({ after: shaOf("c"), modified: [POLICY_PATH] });
    await app.receive({ name: "push", payload: push, id: "delivery-policy-routed" });
    await app.service.onIdle();

    expect(existsSync(join(app.stateDir, "environments", live))).toBe(true);
    expect(router.handed).toHaveLength(1);
    const command = router.handed[0]!.command;
    expect(command).toMatchObject({
      kind: "teardown",
      key: { repositoryId: pullRequestPayload("opened", LIVE_SHA).repository.id, pullRequest: 2 },
      environmentName: live,
      reason: "policy",
      audit: { reason: "policy", deliveryId: "delivery-policy-routed", actor: { login: push.sender!.login } },
    });

    // 2. The owner takes the command: it tears the environment down and records why.
    router.owned = true;
    app.service.acceptCommand({ command, clients: undefined, logger: pino({ level: "silent" }) });
    await app.service.onIdle();

    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
    const tornDown = (await spool.list({ limit: 100 })).filter((record) => record.action === "environment.torn_down");
    expect(tornDown.map((record) => [record.teardownReason, record.deliveryId, record.environment?.name])).toEqual([["policy", "delivery-policy-routed", live]]);
  });

  it("marks another installation's preview inactive", async () => {
    const otherInstallation = 4_242_424;
    const app = await startApp();
    const live = await startLiveEnvironment(app);
    // The environment records another account's installation, as one created by a run of that account does.
    const annotations = { [PREVIEW_DEPLOYMENT_ANNOTATION]: "4712", [INSTALLATION_ANNOTATION]: String(otherInstallation) };
    await createLocalProvider({ stateDir: app.stateDir, logger: pino({ level: "silent" }) }).annotate({ environmentName: live, annotations });
    const authorizations: string[] = [];
    fake.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", (request) => {
      authorizations.push(request.headers.authorization ?? "");
      return jsonResponse(201, statusObject(request.body as { state: string }));
    });
    serveOrgPolicy(fake, { owner: "Codertocat", text: `${STRICTER}onPolicyChange: teardown\n`, commitSha: shaOf("b"), branch: "master" });

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("b"), modified: [POLICY_PATH] }) });
    await app.service.onIdle();

    expect(existsSync(join(app.stateDir, "environments", live))).toBe(false);
    expect(fake.tokenMints(otherInstallation)).toBe(1);
    expect(authorizations).toHaveLength(1);
    expect(authorizations[0]).toMatch(new RegExp(`^token ghs_fake${otherInstallation}n1`));
  });

  it("ignores a push that does not touch the policy", async () => {
    const app = await startApp();

    await app.receive({ name: "push", payload: pushPayload({ after: shaOf("7"), modified: ["profile/README.md"] }) });
    await app.service.onIdle();

    expect(fake.checkRuns()).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "push ignored").map((line) => line.reason)).toEqual(["not an org policy change"]);
  });
});
