import { existsSync } from "node:fs";
import { startSweeper } from "../../app/start-sweeper.ts";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import type { GitHubRequester } from "../../src/github/repository-gateway.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { jsonResponse } from "../support/fake-github-types.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";

const CONFIG = "environment:\n  ttl: 2h\nsteps:\n  - name: hello\n    run: echo hello\n";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Opens a pull request through the app so that its environment exists, and returns its name. */
async function openEnvironment(app: AppUnderTest) {
  const sample = createSampleRepository({ files: { ".github/paddock.yml": CONFIG } });
  // Patched: the head SHA is the sample repository's commit.
  const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: CONFIG });
  // Environment settings such as the TTL are read from the default branch.
  fake.setFile({ owner, repo, ref: payload.repository.default_branch, path: ".github/paddock.yml", content: CONFIG });
  fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
  const name = nameEnvironment({ repositoryName: repo, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
  expect(existsSync(join(app.stateDir, "environments", name))).toBe(true);
  const github = (await app.probot.auth(payload.installation!.id)) as unknown as GitHubRequester;
  return { name, payload, github };
}

describe("sweeper", () => {
  it("removes the environment of a closed pull request", async () => {
    const app = await startApp();
    const { name, payload, github } = await openEnvironment(app);
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, []));

    const report = await app.service.sweep({ githubFor: async () => github });
    await app.service.onIdle();

    expect(report.listed).toBe(1);
    expect(report.removed).toEqual([
      {
        name,
        reason: "closed",
        key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number },
        repository: payload.repository.full_name,
        detail: `pull request #${payload.pull_request.number} is not open`,
      },
    ]);
    expect(existsSync(join(app.stateDir, "environments", name))).toBe(false);
  });

  it("keeps the environment of an open pull request", async () => {
    const app = await startApp();
    const { name, payload, github } = await openEnvironment(app);
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, [payload.pull_request]));

    const report = await app.service.sweep({ githubFor: async () => github });
    await app.service.onIdle();

    expect(report.removed).toEqual([]);
    expect(existsSync(join(app.stateDir, "environments", name))).toBe(true);
    expect(fake.calls.filter((call) => call.operationId === "pulls/list")).toHaveLength(1);
  });

  it("names the installation the environment recorded", async () => {
    const app = await startApp();
    const { payload, github } = await openEnvironment(app);
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, [payload.pull_request]));
    const targets: unknown[] = [];

    await app.service.sweep({
      githubFor: async (target) => {
        targets.push(target);
        return github;
      },
    });

    expect(targets).toEqual([{ repository: payload.repository.full_name, installationId: payload.installation!.id }]);
  });

  it("runs in the app without an installation lookup", async () => {
    const app = await startApp();
    const { payload } = await openEnvironment(app);
    fake.on("GET /repos/{owner}/{repo}/pulls", () => jsonResponse(200, [payload.pull_request]));
    const listed = () => fake.calls.filter((call) => call.operationId === "pulls/list").length;

    const stop = startSweeper({ app: app.probot, service: app.service, intervalMs: 60_000 });
    for (let attempt = 0; attempt < 100 && listed() === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    stop();

    expect(listed()).toBe(1);
    expect(fake.calls.filter((call) => call.operationId === "apps/get-repo-installation")).toEqual([]);
  });

  it("removes an expired environment without asking GitHub", async () => {
    let clock = new Date();
    const app = await startApp({ now: () => clock });
    const { name } = await openEnvironment(app);
    const callsBefore = fake.calls.length;
    clock = new Date(Date.now() + 3 * 60 * 60 * 1000);

    const report = await app.service.sweep({ githubFor: async () => undefined });
    await app.service.onIdle();

    expect(report.removed.map((verdict) => [verdict.name, verdict.reason])).toEqual([[name, "ttl"]]);
    expect(fake.calls.length).toBe(callsBefore);
    expect(existsSync(join(app.stateDir, "environments", name))).toBe(false);
  });
});
