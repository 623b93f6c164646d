import { existsSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { RUN_EVENT_ANNOTATION, RUN_STARTED_ANNOTATION } from "../../src/service/run-annotations.ts";
import { createRepositoryTokenMinter } from "../../app/mint-repository-token.ts";
import { createCheckRunReporter } from "../../src/checks/report-check-run.ts";
import type { GitHubRequester } from "../../src/github/repository-gateway.ts";
import type { InstallationClients } from "../../src/service/paddock-service.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";
import { createRecordingRouter } from "./recording-router.ts";

/** A step that marks that it started, then runs far longer than the test may take. */
const SLOW_CONFIG = "steps:\n  - name: slow\n    run: touch started && sleep 600\n    timeout: 15m\n";

/** A step that ends at once. */
const QUICK_STEP_CONFIG = "steps:\n  - name: quick\n    run: echo quick\n";
const AGENT_BRANCH = "copilot/fix-login";
/** The Copilot coding agent as GitHub sends it as a push's sender. */
const COPILOT = { login: "Copilot", id: 198982749, type: "Bot" };

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.assertNoViolations();
  fake.close();
});

/** Builds installation clients from the app's own credentials, as a replica does for resumed work. */
async function clientsFor(app: AppUnderTest, event: { installationId: number | null; repository: { owner: string; name: string } }): Promise<InstallationClients> {
  const octokit = await app.probot.auth(event.installationId ?? undefined);
  const logger = pino({ level: "silent" });
  const sink = createCheckRunReporter({ octokit, owner: event.repository.owner, repo: event.repository.name, logger });
  return { octokit: octokit as unknown as GitHubRequester, sink, mintRepositoryToken: createRepositoryTokenMinter({ octokit, repo: event.repository.name }) };
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function servePullRequest(files: Record<string, string>) {
  const sample = createSampleRepository({ files });
  // Patched: the head SHA is the sample repository's commit.
  const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: files[".github/paddock.yml"]! });
  fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  const key = { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number };
  return { sample, payload, lane: formatEnvironmentKey(key), environment: nameEnvironment({ repositoryName: repo, key }) };
}

/** Serves a Copilot push to the agent branch whose commit has `config`, with no pull request open for it. */
function serveAgentPush(config: string) {
  const sample = createSampleRepository({ files: { ".github/paddock.yml": config } });
  const push = patchPayload(loadWebhookExample({ name: "push", withInstallation: true }), {
    ref: `refs/heads/${AGENT_BRANCH}`,
    after: sample.sha,
    created: false,
    deleted: false,
    "sender.login": COPILOT.login,
    "sender.id": COPILOT.id,
    "sender.type": COPILOT.type,
  });
  const owner = push.repository.owner!.login;
  const repo = push.repository.name;
  fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, []));
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: config });
  const tarball = fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  const environment = nameEnvironment({ repositoryName: repo, key: { repositoryId: push.repository.id, branch: AGENT_BRANCH } });
  return { sample, push, owner, repo, environment, tarball };
}

describe("work routing between replicas", () => {
  it("hands a key it does not own over", async () => {
    const { payload, lane } = servePullRequest({ ".github/paddock.yml": SLOW_CONFIG });
    const router = createRecordingRouter();
    router.owned = false;
    const app = await startApp({ router });

    await app.receive({ name: "pull_request", payload, id: "delivery-not-owned" });
    await app.service.onIdle();

    expect(router.handed.map((entry) => [entry.key, entry.command.kind])).toEqual([[lane, "pull_request"]]);
    expect(router.handed[0]?.command).toMatchObject({ rerun: false, event: { deliveryId: "delivery-not-owned" } });
    expect(fake.checkRuns()).toEqual([]);
  });

  it("passes taken work on under a new id", async () => {
    const { payload, lane } = servePullRequest({ ".github/paddock.yml": SLOW_CONFIG });
    const router = createRecordingRouter();
    router.owned = false;
    const app = await startApp({ router });
    await app.receive({ name: "pull_request", payload, id: "delivery-taken" });
    await app.service.onIdle();
    const [first] = router.handed;

    // The inbox's command reaches a replica that lost the key since, which passes it on again.
    const clients = await clientsFor(app, { installationId: payload.installation!.id, repository: { owner: payload.repository.owner.login, name: payload.repository.name } });
    app.service.acceptCommand({ command: first!.command, clients, logger: pino({ level: "silent" }) });
    await app.service.onIdle();

    expect(router.handed.map((entry) => entry.key)).toEqual([lane, lane]);
    expect(first?.command.kind === "pull_request" ? first.command.passedOn : "not a pull request").toBeUndefined();
    const again = router.handed[1]?.command;
    expect(again?.kind === "pull_request" ? again.passedOn : undefined).toMatch(/^[0-9a-f-]{36}$/);
    expect(again).toMatchObject({ kind: "pull_request", rerun: false, event: { deliveryId: "delivery-taken" } });
    expect(fake.checkRuns()).toEqual([]);
  });

  it("leaves a detached run's check run to the new owner", async () => {
    const { sample, payload, environment } = servePullRequest({ ".github/paddock.yml": SLOW_CONFIG });
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "pull_request", payload, id: "delivery-detached" });
    await waitFor(() => existsSync(join(app.stateDir, "environments", environment, "checkouts", sample.sha, "started")), "the slow step to start");

    router.owned = false;
    app.service.detachKeys(() => true);
    await app.service.onIdle();

    // The run prepared its environment, so the new owner resumes it from there: nothing is handed over or reported.
    const [run] = fake.checkRuns();
    expect(run?.status).toBe("in_progress");
    expect(router.handed).toEqual([]);
    const [listed] = await createLocalProvider({ stateDir: app.stateDir, logger: pino({ level: "silent" }) }).listEnvironments();
    expect(listed?.annotations[RUN_STARTED_ANNOTATION]).toBeDefined();
    expect(JSON.parse(listed?.annotations[RUN_EVENT_ANNOTATION] ?? "{}")).toMatchObject({ deliveryId: "delivery-detached", pullRequest: { headSha: sample.sha } });
  });

  it("resumes a detached branch run", async () => {
    const { sample, push, owner, repo, environment } = serveAgentPush(SLOW_CONFIG);
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "push", payload: push, id: "delivery-branch" });
    await waitFor(() => existsSync(join(app.stateDir, "environments", environment, "checkouts", sample.sha, "started")), "the slow step to start");

    // 1. The replica lets go of the branch's key mid-step, as when its Lease is lost.
    router.owned = false;
    app.service.detachKeys(() => true);
    await app.service.onIdle();
    const [interrupted] = fake.checkRuns();
    expect(interrupted?.status).toBe("in_progress");

    // 2. The same commit now contains a quick step, so the resumed run can finish.
    fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: QUICK_STEP_CONFIG });
    router.owned = true;
    const resumed = await app.service.resumeRuns({ matches: () => true, clientsFor: async (event) => clientsFor(app, event) });
    await app.service.onIdle();

    expect(resumed.map((run) => [run.environmentName, run.checkRunId])).toEqual([[environment, interrupted!.id]]);
    const runs = fake.checkRuns();
    expect(runs.map((run) => [run.id, run.head_sha, run.status, run.conclusion])).toEqual([[interrupted!.id, sample.sha, "completed", "success"]]);
    expect(router.handed).toEqual([]);
  });

  it("hands an unprepared branch run over", async () => {
    const { sample, push, environment, tarball } = serveAgentPush(QUICK_STEP_CONFIG);
    // The checkout's download waits until the test releases it, so the run is detached while it prepares.
    let requested = false;
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.on("GET /repos/{owner}/{repo}/tarball/{ref}", async (request) => {
      requested = true;
      await released;
      return jsonResponse(404, { message: "Not Found", documentation_url: request.documentationUrl });
    });
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "push", payload: push, id: "delivery-unprepared" });
    await waitFor(() => requested, "the checkout's download");

    // 1. The replica lets go of the branch's key while the environment is being prepared.
    router.owned = false;
    app.service.detachKeys(() => true);
    release();
    await app.service.onIdle();
    const [detached] = fake.checkRuns();
    expect(detached?.status).toBe("in_progress");
    expect(router.handed.map((entry) => entry.key)).toEqual([formatEnvironmentKey({ repositoryId: push.repository.id, branch: AGENT_BRANCH })]);
    const handed = router.handed[0]!.command;
    expect(handed).toMatchObject({ kind: "branch_run", checkRunId: detached!.id, environmentName: environment, event: { deliveryId: "delivery-unprepared", pullRequest: { number: null, headSha: sample.sha, headRef: AGENT_BRANCH } } });

    // 2. The new owner takes the command and finishes the run on the same check run.
    fake.on("GET /repos/{owner}/{repo}/tarball/{ref}", () => ({ status: 302, headers: { location: tarball.downloadUrl } }));
    router.owned = true;
    if (handed.kind !== "branch_run") throw new Error(`expected a branch_run command, got ${handed.kind}`);
    app.service.acceptCommand({ command: handed, clients: await clientsFor(app, handed.event), logger: pino({ level: "silent" }) });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => [run.id, run.head_sha, run.status, run.conclusion])).toEqual([[detached!.id, sample.sha, "completed", "success"]]);
    expect(router.handed).toHaveLength(1);
  });

  it("hands a queued run over when detached", async () => {
    const { sample, payload, lane, environment } = servePullRequest({ ".github/paddock.yml": SLOW_CONFIG });
    const router = createRecordingRouter();
    const app = await startApp({ router });
    await app.receive({ name: "pull_request", payload, id: "delivery-running" });
    await waitFor(() => existsSync(join(app.stateDir, "environments", environment, "checkouts", sample.sha, "started")), "the slow step to start");
    const newerSha = "f".repeat(40);
    await app.receive({ name: "pull_request", payload: patchPayload(payload, { action: "synchronize", "pull_request.head.sha": newerSha }), id: "delivery-queued" });

    router.owned = false;
    app.service.detachKeys(() => true);
    await app.service.onIdle();

    expect(router.handed.map((entry) => entry.key)).toEqual([lane]);
    expect(router.handed[0]?.command).toMatchObject({ kind: "pull_request", rerun: true, passedOn: expect.any(String), event: { deliveryId: "delivery-queued", pullRequest: { headSha: newerSha } } });
  });
});
