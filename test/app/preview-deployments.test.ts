import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCheckRunReporter } from "../../src/checks/report-check-run.ts";
import type { ClientsForEvent } from "../../src/service/paddock-service.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import type { GitHubRequester } from "../../src/github/repository-gateway.ts";
import { serveOrgPolicy } from "../policy/support/serve-org-policy.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse, type FakeHandler } from "../support/fake-github-types.ts";
import { patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";
import { createRecordingRouter } from "./recording-router.ts";
import { deploymentObject, statusObject } from "./deployment-fixtures.ts";
import { pullRequestPayload, servePullRequest, shaOf } from "./governance-fixtures.ts";

/** Builds a config with one quick step and a service `web`, running `run`, exposed at the preview host. */
function previewConfig(run: string): string {
  return ["services:", "  - name: web", "    image: node:24", `    run: ${run}`, "    port: 8080", "expose: { service: web, port: 8080 }", "steps:", "  - name: check", "    run: test -f package.json", ""].join("\n");
}
/** A service that serves HTTP on port 8080 until it is stopped. */
const PREVIEW_CONFIG = previewConfig(`node -e "require('http').createServer((request, response) => response.end('ok')).listen(8080)"`);
const PREVIEW_POLICY = 'preview:\n  host: "{environment}.preview.example.com"\n';

const silentLogger = pino({ level: "silent" });

let fake: FakeGitHub;
/** Every deployment and status request, in arrival order. */
let deploymentCalls: Array<{ route: string; body: Record<string, unknown> }>;

beforeEach(() => {
  fake = createFakeGitHub();
  deploymentCalls = [];
  let nextId = 900;
  const record = (route: string, answer: FakeHandler): FakeHandler => (request) => {
    deploymentCalls.push({ route, body: request.body as Record<string, unknown> });
    return answer(request);
  };
  fake.on("POST /repos/{owner}/{repo}/deployments", record("deployment", () => jsonResponse(201, deploymentObject((nextId += 1)))));
  fake.on("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", record("status", (request) => jsonResponse(201, statusObject(request.body as { state: string }))));
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

describe("preview deployment", () => {
  it("goes from in_progress to success with the preview URL", async () => {
    const payload = pullRequestPayload("opened", shaOf("a"));
    servePullRequest(fake, { payload, headConfig: PREVIEW_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const app = await startApp();
    const environment = nameEnvironment({ repositoryName: payload.repository.name, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => run.conclusion)).toEqual(["success"]);
    expect(deploymentCalls).toEqual([
      {
        route: "deployment",
        body: expect.objectContaining({ ref: shaOf("a"), environment, transient_environment: true, auto_merge: false, required_contexts: [], production_environment: false }),
      },
      { route: "status", body: expect.objectContaining({ state: "in_progress" }) },
      { route: "status", body: expect.objectContaining({ state: "success", environment_url: `https://${environment}.preview.example.com` }) },
    ]);
  });

  it("goes inactive when the pull request closes", async () => {
    const payload = pullRequestPayload("opened", shaOf("b"));
    servePullRequest(fake, { payload, headConfig: PREVIEW_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const app = await startApp();
    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    await app.receive({ name: "pull_request", payload: patchPayload(payload, { action: "closed", "pull_request.state": "closed" }) });
    await app.service.onIdle();

    expect(deploymentCalls.map((call) => call.body.state ?? call.route)).toEqual(["deployment", "in_progress", "success", "inactive"]);
    expect(deploymentCalls[3]!.body.description).toBe("Environment torn down: closed");
  });

  it("goes inactive when the sweeper removes it", async () => {
    const payload = pullRequestPayload("opened", shaOf("f"));
    servePullRequest(fake, { payload, headConfig: PREVIEW_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const app = await startApp();
    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();
    // The pull request is no longer open, as when its close event was lost.
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, []));
    const github = (await app.probot.auth(payload.installation!.id)) as unknown as GitHubRequester;

    const report = await app.service.sweep({ githubFor: async () => github });
    await app.service.onIdle();

    expect(report.removed.map((verdict) => verdict.reason)).toEqual(["closed"]);
    expect(deploymentCalls.map((call) => call.body.state ?? call.route)).toEqual(["deployment", "in_progress", "success", "inactive"]);
    expect(deploymentCalls[3]!.body.description).toBe(`Environment torn down: closed: pull request #${payload.pull_request.number} is not open`);
  });

  it("goes inactive when a handed-over teardown runs", async () => {
    const payload = pullRequestPayload("opened", shaOf("9"));
    servePullRequest(fake, { payload, headConfig: PREVIEW_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();
    const key = { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number };
    const environmentName = nameEnvironment({ repositoryName: payload.repository.name, key });

    // 1. A replica that does not own the key hands the teardown over, with no GitHub access in it.
    router.owned = false;
    app.service.acceptTeardown({ key, environmentName, reason: "requested by maintainer", logger: silentLogger });
    await app.service.onIdle();
    const [handed] = router.handed;
    expect(handed?.command).toEqual({ kind: "teardown", key, environmentName, reason: "requested by maintainer" });

    // 2. The owner builds a client for the installation the environment's annotations record.
    router.owned = true;
    const installations: Array<number | null> = [];
    const clientsFor: ClientsForEvent = async (event) => {
      installations.push(event.installationId);
      const octokit = await app.probot.auth(event.installationId ?? undefined);
      const sink = createCheckRunReporter({ octokit, owner: event.repository.owner, repo: event.repository.name, logger: silentLogger });
      return { octokit: octokit as unknown as GitHubRequester, sink };
    };
    app.service.acceptCommand({ command: handed!.command, clients: undefined, clientsFor, logger: silentLogger });
    await app.service.onIdle();

    expect(installations).toEqual([payload.installation!.id]);
    expect(deploymentCalls.map((call) => call.body.state ?? call.route)).toEqual(["deployment", "in_progress", "success", "inactive"]);
    expect(deploymentCalls[3]!.body.description).toBe("Environment torn down: requested by maintainer");
    expect(fake.calls.filter((call) => call.method === "POST" && call.path.endsWith("/statuses")).at(-1)?.path).toBe("/repos/Codertocat/Hello-World/deployments/901/statuses");
  });

  it("is left out without a preview host", async () => {
    const payload = pullRequestPayload("opened", shaOf("c"));
    servePullRequest(fake, { payload, headConfig: "steps:\n  - name: check\n    run: test -f package.json\n" });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => run.conclusion)).toEqual(["success"]);
    expect(deploymentCalls).toEqual([]);
  });

  it("fails when the service is never ready", async () => {
    const payload = pullRequestPayload("opened", shaOf("e"));
    // The command exits at once, so the service never listens.
    servePullRequest(fake, { payload, headConfig: previewConfig("echo serving") });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => run.conclusion)).toEqual(["failure"]);
    expect(deploymentCalls.map((call) => call.body.state ?? call.route)).toEqual(["deployment", "in_progress", "failure"]);
    expect(deploymentCalls[2]!.body.description).toBe("Services did not become ready");
  });

  it("fails when the environment cannot be prepared", async () => {
    const payload = pullRequestPayload("opened", shaOf("d"));
    servePullRequest(fake, { payload, headConfig: PREVIEW_CONFIG });
    serveOrgPolicy(fake, { owner: "Codertocat", text: PREVIEW_POLICY });
    // The tarball request fails, so the local provider cannot fetch the source.
    fake.failNext("GET /repos/{owner}/{repo}/tarball/{ref}", { status: 500, times: 10 });
    const app = await startApp();

    await app.receive({ name: "pull_request", payload });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => run.conclusion)).toEqual(["failure"]);
    expect(deploymentCalls.map((call) => call.body.state ?? call.route)).toEqual(["deployment", "in_progress", "failure"]);
    expect(String(deploymentCalls[2]!.body.description)).toMatch(/^Environment could not be prepared: /);
  });
});
