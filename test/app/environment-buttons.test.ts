import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp, type AppUnderTest } from "./app-harness.ts";
import { pullRequestPayload, QUICK_CONFIG, servePullRequest, serveRoles, shaOf } from "./governance-fixtures.ts";

const SHA = shaOf("d");

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
  serveRoles(fake, { maintainer: "write", reader: "read" });
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

/** Opens a pull request whose pipeline passes, so it has a live environment and buttons. */
async function openPullRequest(app: AppUnderTest) {
  const payload = pullRequestPayload("opened", SHA);
  servePullRequest(fake, { payload, headConfig: QUICK_CONFIG, baseConfig: QUICK_CONFIG });
  await app.receive({ name: "pull_request", payload });
  await app.service.onIdle();
  const environment = nameEnvironment({ repositoryName: payload.repository.name, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
  return { payload, environment };
}

/** A real check_run.requested_action payload: `login` presses the button `identifier` on check run `id`. */
function press(options: { repository: unknown; id: number; login: string; identifier: string }) {
  return patchPayload(loadWebhookExample({ name: "check_run", action: "requested_action", withInstallation: true }), {
    repository: options.repository,
    "check_run.id": options.id,
    "check_run.head_sha": SHA,
    "requested_action.identifier": options.identifier,
    "sender.login": options.login,
    "sender.type": "User",
  });
}

function readExpiry(app: AppUnderTest, environment: string): string {
  const record = JSON.parse(readFileSync(join(app.stateDir, "environments", environment, "environment.json"), "utf8"));
  return record.environment.annotations["paddock.dev/expires-at"];
}

describe("environment buttons", () => {
  it("offer Extend and Destroy on a run with an environment", async () => {
    const app = await startApp({ quietMs: 0 });
    const { payload } = await openPullRequest(app);

    const [run] = fake.checkRuns();
    expect(run?.conclusion).toBe("success");
    expect((run?.actions as Array<{ identifier: string }>).map((action) => action.identifier)).toEqual([`extend:${payload.pull_request.number}`, `destroy:${payload.pull_request.number}`]);
  });

  it("destroy removes the environment for a writer", async () => {
    const app = await startApp({ quietMs: 0 });
    const { payload, environment } = await openPullRequest(app);
    const [run] = fake.checkRuns();

    await app.receive({ name: "check_run", payload: press({ repository: payload.repository, id: run!.id, login: "maintainer", identifier: `destroy:${payload.pull_request.number}` }) });
    await app.service.onIdle();

    expect(() => readExpiry(app, environment)).toThrow(/ENOENT/);
    expect(fake.checkRuns()[0]?.output.summary).toContain(`**destroyed:** Environment ${environment} destroyed at the request of maintainer`);
  });

  it("extend moves the expiry by the profile's step", async () => {
    const app = await startApp({ quietMs: 0 });
    const { payload, environment } = await openPullRequest(app);
    const before = readExpiry(app, environment);
    const [run] = fake.checkRuns();

    await app.receive({ name: "check_run", payload: press({ repository: payload.repository, id: run!.id, login: "maintainer", identifier: `extend:${payload.pull_request.number}` }) });
    await app.service.onIdle();

    const after = readExpiry(app, environment);
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect(fake.checkRuns()[0]?.output.summary).toContain(`**extended:** Environment ${environment} extended to ${after} by maintainer`);
  });

  it("rejects a reader", async () => {
    const app = await startApp({ quietMs: 0 });
    const { payload, environment } = await openPullRequest(app);
    const [run] = fake.checkRuns();

    await app.receive({ name: "check_run", payload: press({ repository: payload.repository, id: run!.id, login: "reader", identifier: `destroy:${payload.pull_request.number}` }) });
    await app.service.onIdle();

    expect(readExpiry(app, environment)).toMatch(/^\d{4}-/);
    expect(fake.checkRuns()[0]?.output.summary).toContain("**rejected:** reader has the read role, and destroy needs write or more");
  });
});
