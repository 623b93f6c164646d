import { existsSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatEnvironmentKey } from "../../src/environments/environment-key.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { RUN_EVENT_ANNOTATION, RUN_STARTED_ANNOTATION } from "../../src/service/run-annotations.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";
import { createRecordingRouter } from "./recording-router.ts";

/** A step that marks that it started, then runs far longer than the test may take. */
const SLOW_CONFIG = "steps:\n  - name: slow\n    run: touch started && sleep 600\n    timeout: 15m\n";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.assertNoViolations();
  fake.close();
});

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
    expect(router.handed[0]?.command).toMatchObject({ kind: "pull_request", rerun: true, event: { deliveryId: "delivery-queued", pullRequest: { headSha: newerSha } } });
  });
});
