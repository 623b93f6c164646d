import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPaddockApp } from "../../app/paddock-app.ts";
import type { AuditSpool } from "../../src/audit/audit-spool.ts";
import { openFileAuditSpool } from "../../src/audit/file-audit-spool.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import type { GitHubRequester } from "../../src/github/repository-gateway.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import type { WorkRouter } from "../../src/replicas/work-router.ts";
import { createAuditTrail } from "../../src/service/audit-trail.ts";
import { createFileGovernance } from "../../src/service/create-governance.ts";
import { createPaddockService, type PaddockService } from "../../src/service/paddock-service.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { createTestProbot, type TestProbot } from "../support/probot-harness.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { createRecordingRouter } from "./recording-router.ts";

const CONFIG = "steps:\n  - name: hello\n    run: echo hello\n";
/** A step that marks that it started, then runs far longer than the test may take. */
const SLOW_CONFIG = "steps:\n  - name: slow\n    run: touch started && sleep 600\n    timeout: 15m\n";
const AGENT_BRANCH = "copilot/fix-login";
/** The Copilot coding agent as GitHub sends it as a push's sender. */
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };

const template = loadWebhookExample({ name: "push", withInstallation: true });
const owner = template.repository.owner!.login;
const repo = template.repository.name;
const branchEnvironment = nameEnvironment({ repositoryName: repo, key: { repositoryId: template.repository.id, branch: AGENT_BRANCH } });

let fake: FakeGitHub;
/** Open pull requests the fake lists, by head branch. */
let openPulls: Map<string, { number: number }>;

beforeEach(() => {
  fake = createFakeGitHub();
  openPulls = new Map();
  fake.on("GET /repos/{owner}/{repo}/pulls", (request) => {
    const head = String(request.query.head ?? "");
    const pull = openPulls.get(head.slice(head.indexOf(":") + 1));
    return jsonResponse(200, pull ? [pull] : []);
  });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

interface AppWithAudit extends TestProbot {
  service: PaddockService;
  stateDir: string;
  spool: AuditSpool;
}

/** Starts Paddock with a real local provider and an audit trail that spools to disk. */
async function startApp(options: { quietMs?: number; stateDir?: string; router?: WorkRouter } = {}): Promise<AppWithAudit> {
  const { stateDir = mkdtempSync(join(tmpdir(), "paddock-agent-")), ...serviceOptions } = options;
  const logger = pino({ level: "silent" });
  const spool = await openFileAuditSpool({ directory: join(stateDir, "audit") });
  const service = createPaddockService({
    provider: createLocalProvider({ stateDir, logger }),
    logger,
    governance: createFileGovernance({ stateDir }),
    audit: createAuditTrail({ spool, logger }),
    ...serviceOptions,
  });
  const probot = await createTestProbot({ appFn: createPaddockApp({ service }), logLevel: "info" });
  return { ...probot, service, stateDir, spool };
}

/** Serves a commit with this config and returns its SHA. */
function serveCommit(config: string): string {
  const sample = createSampleRepository({ files: { ".github/paddock.yml": config } });
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: config });
  fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  return sample.sha;
}

/** Builds a recorded push payload moved to a branch, a head commit and a sender. */
function pushPayload(options: { after: string; branch?: string; sender?: { login: string; id: number; type: string }; deleted?: boolean }) {
  const sender = options.sender ?? COPILOT;
  // Patched: the recorded push with an installation deletes a tag; these fields make it a branch push.
  return patchPayload(template, {
    ref: `refs/heads/${options.branch ?? AGENT_BRANCH}`,
    after: options.after,
    created: false,
    deleted: options.deleted ?? false,
    "sender.login": sender.login,
    "sender.id": sender.id,
    "sender.type": sender.type,
  });
}

/** Builds a recorded pull_request payload opened from the agent branch of the same repository. */
function pullRequestPayload(action: "opened" | "synchronize" | "closed", headSha: string) {
  const example = loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true });
  // Patched: the head is the agent branch at this commit, in the same repository as the push.
  const payload = patchPayload(example, {
    action,
    "repository.id": template.repository.id,
    "pull_request.head.ref": AGENT_BRANCH,
    "pull_request.head.sha": headSha,
    "pull_request.head.repo.full_name": template.repository.full_name,
    "pull_request.state": action === "closed" ? "closed" : "open",
  });
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
  return payload;
}

function environments(app: AppWithAudit): string[] {
  const directory = join(app.stateDir, "environments");
  return existsSync(directory) ? readdirSync(directory) : [];
}

function readLabels(app: AppWithAudit, name: string): Record<string, string> {
  const record = JSON.parse(readFileSync(join(app.stateDir, "environments", name, "environment.json"), "utf8")) as { environment: { labels: Record<string, string> } };
  return record.environment.labels;
}

describe("push to an agent branch", () => {
  it("builds the branch's own environment", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();

    await app.receive({ name: "push", payload: pushPayload({ after: sha }), id: "delivery-push" });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => [run.name, run.head_sha, run.conclusion])).toEqual([[`paddock / ${branchEnvironment}`, sha, "success"]]);
    expect(environments(app)).toEqual([branchEnvironment]);
    expect(readLabels(app, branchEnvironment)["paddock.dev/pull-request"]).toBeUndefined();
    const created = (await app.spool.list({ limit: 100 })).find((record) => record.action === "environment.created");
    expect(created).toMatchObject({ pullRequest: null, branch: AGENT_BRANCH, headSha: sha, deliveryId: "delivery-push" });
  });

  it("ignores a human's branch without a pull request", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    const human = { login: "Codertocat", id: 21031067, type: "User" };

    await app.receive({ name: "push", payload: pushPayload({ after: sha, branch: "feature/login", sender: human }) });
    await app.service.onIdle();

    expect(fake.checkRuns()).toEqual([]);
    expect(environments(app)).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "push ignored").map((line) => line.reason)).toEqual(["not an agent branch"]);
  });

  it("coalesces a burst like pull request pushes", async () => {
    const first = serveCommit(SLOW_CONFIG);
    // Distinct contents, so the two commits get distinct SHAs.
    const second = serveCommit(`${CONFIG}# second\n`);
    const third = serveCommit(`${CONFIG}# third\n`);
    const app = await startApp({ quietMs: 1_500 });

    await app.receive({ name: "push", payload: pushPayload({ after: first }) });
    const started = join(app.stateDir, "environments", branchEnvironment, "checkouts", first, "started");
    for (let attempt = 0; attempt < 300 && !existsSync(started); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    await app.receive({ name: "push", payload: pushPayload({ after: second }) });
    await app.receive({ name: "push", payload: pushPayload({ after: third }) });
    await app.service.onIdle();

    // The second commit was superseded before its run started: one cancelled check run naming the third.
    const runs = fake.checkRuns();
    expect(runs.map((run) => [run.head_sha, run.conclusion, run.updateCount])).toEqual([
      [first, "cancelled", 1],
      [second, "cancelled", 0],
      [third, "success", 1],
    ]);
    expect(runs[1]!.output.summary).toContain(`Cancelled: superseded by ${third.slice(0, 7)}`);
  });
});

describe("pull request from an agent branch", () => {
  it("carries on in the branch's environment", async () => {
    const sha = serveCommit(CONFIG);
    const next = serveCommit(`${CONFIG}# next\n`);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();

    const opened = pullRequestPayload("opened", sha);
    openPulls.set(AGENT_BRANCH, { number: opened.pull_request.number });
    await app.receive({ name: "pull_request", payload: opened });
    await app.service.onIdle();
    await app.receive({ name: "push", payload: pushPayload({ after: next }) });
    await app.receive({ name: "pull_request", payload: pullRequestPayload("synchronize", next) });
    await app.service.onIdle();

    expect(environments(app)).toEqual([branchEnvironment]);
    expect(readLabels(app, branchEnvironment)["paddock.dev/pull-request"]).toBe(String(opened.pull_request.number));
    expect(fake.checkRuns().map((run) => [run.name, run.head_sha, run.conclusion])).toEqual([
      [`paddock / ${branchEnvironment}`, sha, "success"],
      [`paddock / ${branchEnvironment}`, sha, "success"],
      [`paddock / ${branchEnvironment}`, next, "success"],
    ]);
    expect(app.logs.filter((line) => line.msg === "push ignored").map((line) => line.reason)).toEqual(["pull request open"]);
  });

  it("stops the branch's running pipeline first", async () => {
    const slow = serveCommit(SLOW_CONFIG);
    const fast = serveCommit(CONFIG);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: slow }) });
    const started = join(app.stateDir, "environments", branchEnvironment, "checkouts", slow, "started");
    for (let attempt = 0; attempt < 300 && !existsSync(started); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));

    const opened = pullRequestPayload("opened", fast);
    await app.receive({ name: "pull_request", payload: opened });
    await app.service.onIdle();

    const runs = fake.checkRuns();
    expect(runs.map((run) => [run.name, run.head_sha, run.conclusion])).toEqual([
      [`paddock / ${branchEnvironment}`, slow, "cancelled"],
      [`paddock / ${branchEnvironment}`, fast, "success"],
    ]);
    expect(runs[0]!.output.summary).toContain(`Cancelled: pull request #${opened.pull_request.number} took over this branch's environment`);
    expect(environments(app)).toEqual([branchEnvironment]);
  });

  it("asks the branch's owner to stop its work", async () => {
    const sha = serveCommit(CONFIG);
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();

    // Another replica owns the branch's key from now on.
    const branchKey = { repositoryId: template.repository.id, branch: AGENT_BRANCH };
    router.owns = (key) => key !== formatEnvironmentKey(branchKey);
    const opened = pullRequestPayload("opened", sha);
    await app.receive({ name: "pull_request", payload: opened });
    await app.service.onIdle();

    const reason = `Cancelled: pull request #${opened.pull_request.number} took over this branch's environment`;
    expect(router.handed).toEqual([{ key: formatEnvironmentKey(branchKey), command: { kind: "preempt", key: branchKey, reason } }]);
    expect(fake.checkRuns().map((run) => [run.head_sha, run.conclusion])).toEqual([
      [sha, "success"],
      [sha, "success"],
    ]);
    expect(environments(app)).toEqual([branchEnvironment]);
    expect(readLabels(app, branchEnvironment)["paddock.dev/pull-request"]).toBe(String(opened.pull_request.number));
  });

  it("leaves a push to the pull request on another replica", async () => {
    const sha = serveCommit(CONFIG);
    const next = serveCommit(`${CONFIG}# next\n`);
    const first = await startApp();
    await first.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await first.service.onIdle();
    const opened = pullRequestPayload("opened", sha);
    await first.receive({ name: "pull_request", payload: opened });
    await first.service.onIdle();
    const pullsListedBefore = fake.calls.filter((call) => call.operationId === "pulls/list").length;

    // A second service on the same environments never saw the pull request; GitHub lists none, so only the takeover label can stop the build.
    const second = await startApp({ stateDir: first.stateDir });
    await second.receive({ name: "push", payload: pushPayload({ after: next }) });
    await second.service.onIdle();

    expect(fake.checkRuns().map((run) => run.head_sha)).toEqual([sha, sha]);
    expect(environments(second)).toEqual([branchEnvironment]);
    expect(second.logs.filter((line) => line.msg === "push ignored").map((line) => [line.reason, line.pullRequest])).toEqual([["pull request open", opened.pull_request.number]]);
    expect(fake.calls.filter((call) => call.operationId === "pulls/list").length).toBe(pullsListedBefore);
  });

  it("builds again after another replica saw the close", async () => {
    const sha = serveCommit(CONFIG);
    const next = serveCommit(`${CONFIG}# next\n`);
    const first = await startApp();
    const opened = pullRequestPayload("opened", sha);
    await first.receive({ name: "pull_request", payload: opened });
    await first.service.onIdle();

    // The close reaches a second service; the first one must not go on leaving the branch to the closed pull request.
    const second = await startApp({ stateDir: first.stateDir });
    await second.receive({ name: "pull_request", payload: pullRequestPayload("closed", sha) });
    await second.service.onIdle();
    await first.receive({ name: "push", payload: pushPayload({ after: next }) });
    await first.service.onIdle();

    expect(fake.checkRuns().map((run) => [run.name, run.head_sha, run.conclusion])).toEqual([
      [`paddock / ${nameEnvironment({ repositoryName: repo, key: { repositoryId: template.repository.id, pullRequest: opened.pull_request.number } })}`, sha, "success"],
      [`paddock / ${branchEnvironment}`, next, "success"],
    ]);
    expect(environments(first)).toEqual([branchEnvironment]);
  });

  it("leaves a push to the pull request", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    openPulls.set(AGENT_BRANCH, { number: 2 });

    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();

    expect(fake.checkRuns()).toEqual([]);
    expect(fake.calls.filter((call) => call.operationId === "pulls/list").map((call) => new URL(call.path, "https://api.github.com").searchParams.get("head"))).toEqual([`${owner}:${AGENT_BRANCH}`]);
    expect(app.logs.filter((line) => line.msg === "push ignored").map((line) => line.reason)).toEqual(["pull request open"]);
  });

  it("tears the shared environment down on close", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();
    await app.receive({ name: "pull_request", payload: pullRequestPayload("opened", sha) });
    await app.service.onIdle();

    await app.receive({ name: "pull_request", payload: pullRequestPayload("closed", sha), id: "delivery-close" });
    await app.service.onIdle();

    expect(environments(app)).toEqual([]);
    const tornDown = (await app.spool.list({ limit: 100 })).filter((record) => record.action === "environment.torn_down");
    expect(tornDown).toEqual([expect.objectContaining({ teardownReason: "closed", deliveryId: "delivery-close", environment: expect.objectContaining({ name: branchEnvironment }) })]);
  });
});

describe("deleted agent branch", () => {
  it("is found by the sweeper when its webhooks were lost", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();
    const branches: string[] = [];
    fake.on("GET /repos/{owner}/{repo}/branches/{branch}", (request) => {
      branches.push(decodeURIComponent(request.params.branch ?? ""));
      return jsonResponse(404, { message: "Branch not found", documentation_url: request.documentationUrl, status: "404" });
    });
    const github = (await app.probot.auth(template.installation!.id)) as unknown as GitHubRequester;

    const report = await app.service.sweep({ githubFor: async () => github });
    await app.service.onIdle();

    expect(branches).toEqual([AGENT_BRANCH]);
    expect(report.removed).toEqual([
      expect.objectContaining({ name: branchEnvironment, reason: "branch_deleted", detail: `branch ${AGENT_BRANCH} no longer exists` }),
    ]);
    expect(environments(app)).toEqual([]);
    // The one listing of pull requests is the push's own lookup: a repository with only branch environments needs none.
    expect(fake.calls.filter((call) => call.operationId === "pulls/list")).toHaveLength(1);
  });

  it("keeps a branch that still exists", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();
    fake.on("GET /repos/{owner}/{repo}/branches/{branch}", () => jsonResponse(200, { name: AGENT_BRANCH, commit: { sha }, protected: false }));
    const github = (await app.probot.auth(template.installation!.id)) as unknown as GitHubRequester;

    const report = await app.service.sweep({ githubFor: async () => github });
    await app.service.onIdle();

    expect(report.removed).toEqual([]);
    expect(environments(app)).toEqual([branchEnvironment]);
  });

  it("tears the environment down once for both events", async () => {
    const sha = serveCommit(CONFIG);
    const app = await startApp();
    await app.receive({ name: "push", payload: pushPayload({ after: sha }) });
    await app.service.onIdle();
    expect(environments(app)).toEqual([branchEnvironment]);

    await app.receive({ name: "push", payload: pushPayload({ after: "0".repeat(40), deleted: true }), id: "delivery-deleted" });
    // Patched: the recorded delete event is a tag's; these fields make it the agent branch's.
    const deleted = patchPayload(loadWebhookExample({ name: "delete", withInstallation: true }), { ref: AGENT_BRANCH, ref_type: "branch", "repository.id": template.repository.id });
    await app.receive({ name: "delete", payload: deleted, id: "delivery-delete" });
    await app.service.onIdle();

    expect(environments(app)).toEqual([]);
    const tornDown = (await app.spool.list({ limit: 100 })).filter((record) => record.action === "environment.torn_down");
    expect(tornDown).toEqual([
      expect.objectContaining({ teardownReason: "branch_deleted", deliveryId: "delivery-deleted", pullRequest: null, environment: expect.objectContaining({ name: branchEnvironment }) }),
    ]);
    expect(app.logs.filter((line) => line.msg === "teardown skipped: no environment exists")).toHaveLength(1);
  });
});
