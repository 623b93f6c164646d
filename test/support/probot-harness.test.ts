import type { ApplicationFunction } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createFakeGitHub, type FakeGitHub } from "./fake-github.ts";
import { createTestProbot } from "./probot-harness.ts";
import { loadWebhookExample, patchPayload } from "./webhook-examples.ts";

const HEAD_SHA = "ce587453ced02b1526dfb4cb910479d431683101";

// A tiny app: one check run per opened or synchronized pull request.
const createCheckRunApp: ApplicationFunction = (app) => {
  app.on(["pull_request.opened", "pull_request.synchronize"], async (context) => {
    const headSha = context.payload.pull_request.head.sha;
    await context.octokit.rest.checks.create(context.repo({ name: "paddock / environment", head_sha: headSha, status: "queued" }));
    context.log.info({ headSha }, "check run created");
  });
};

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

function openedPullRequest() {
  const payload = loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true });
  return patchPayload(payload, { "pull_request.head.sha": HEAD_SHA });
}

describe("createTestProbot", () => {
  it("creates a check run through the installation token", async () => {
    const { receive } = await createTestProbot({ appFn: createCheckRunApp });
    const payload = openedPullRequest();
    const installationId = payload.installation!.id;

    await receive({ name: "pull_request", payload });

    expect(fake.calls.map((call) => call.operationId)).toEqual(["apps/create-installation-access-token", "checks/create"]);
    expect(fake.tokenMints(installationId)).toBe(1);
    const [run] = fake.checkRuns();
    expect(run?.owner).toBe(payload.repository.owner.login);
    expect(run?.repo).toBe(payload.repository.name);
    expect(run?.name).toBe("paddock / environment");
    expect(run?.head_sha).toBe(HEAD_SHA);
    expect(run?.status).toBe("queued");
  });

  it("reuses the cached token across deliveries", async () => {
    const { receive } = await createTestProbot({ appFn: createCheckRunApp });
    const payload = openedPullRequest();

    await receive({ name: "pull_request", payload });
    await receive({ name: "pull_request", payload: patchPayload(payload, { action: "synchronize" }) });

    expect(fake.tokenMints(payload.installation!.id)).toBe(1);
    expect(fake.checkRuns().map((run) => run.id)).toEqual([1, 2]);
  });

  it("sends writes without throttling delay", async () => {
    const { probot } = await createTestProbot({ appFn: () => {} });
    const octokit = await probot.auth(1);
    const started = performance.now();

    for (let index = 0; index < 5; index += 1) {
      await octokit.rest.checks.create({ owner: "octo-org", repo: "widgets", name: `step ${index}`, head_sha: HEAD_SHA });
    }

    // With Probot's throttler active, writes are spaced one second apart: at least 4 s here.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(fake.checkRuns()).toHaveLength(5);
  });

  it("captures the app's log lines", async () => {
    const { receive, logs } = await createTestProbot({ appFn: createCheckRunApp });

    await receive({ name: "pull_request", payload: openedPullRequest(), id: "delivery-abc" });

    const line = logs.find((entry) => entry.msg === "check run created");
    expect(line?.level).toBe("info");
    expect(line?.headSha).toBe(HEAD_SHA);
  });

  it("rejects receive when the app sends an invalid request", async () => {
    const invalidApp: ApplicationFunction = (app) => {
      app.on("pull_request.opened", async (context) => {
        // A route typed as plain string skips Octokit's compile-time check of the parameters.
        const route: string = "POST /repos/{owner}/{repo}/check-runs";
        await context.octokit.request(route, context.repo({ name: "paddock", head_sha: HEAD_SHA, status: "bogus" }));
      });
    };
    const { receive } = await createTestProbot({ appFn: invalidApp });

    await expect(receive({ name: "pull_request", payload: openedPullRequest() })).rejects.toThrow();

    const violations = fake.takeViolations();
    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toContain('body/status must be equal to one of the allowed values (queued, in_progress, completed), got "bogus"');
  });
});
