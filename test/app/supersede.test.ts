import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createCheckRunStore } from "../support/fake-github-check-runs.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";

/** A step that marks that it started, then runs far longer than the test may take. */
const SLOW_CONFIG = "steps:\n  - name: slow\n    run: touch started && sleep 600\n    timeout: 15m\n";
const FAST_CONFIG = "steps:\n  - name: fast\n    run: echo done\n";

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

describe("newer head SHA", () => {
  it("kills the running sandbox and cancels its check run naming the newer SHA", async () => {
    const older = createSampleRepository({ files: { ".github/paddock.yml": SLOW_CONFIG } });
    const newer = createSampleRepository({ files: { ".github/paddock.yml": FAST_CONFIG } });
    // Patched: head SHAs point at the two sample commits; everything else is the recorded payload.
    const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": older.sha });
    const synchronize = patchPayload(opened, { action: "synchronize", "pull_request.head.sha": newer.sha });
    const owner = opened.repository.owner.login;
    const repo = opened.repository.name;
    fake.setPullRequest({ owner, repo, pullRequest: opened.pull_request });
    for (const sample of [older, newer]) {
      fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: sample === older ? SLOW_CONFIG : FAST_CONFIG });
      fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
    }
    const app = await startApp();
    const environment = nameEnvironment({ repositoryName: repo, key: { repositoryId: opened.repository.id, pullRequest: opened.pull_request.number } });

    await app.receive({ name: "pull_request", payload: opened });
    await waitFor(() => existsSync(join(app.stateDir, "environments", environment, "checkouts", older.sha, "started")), "the slow step to start");
    await app.receive({ name: "pull_request", payload: synchronize });
    await app.service.onIdle();

    const runs = fake.checkRuns();
    expect(runs.map((run) => [run.head_sha, run.status, run.conclusion])).toEqual([
      [older.sha, "completed", "cancelled"],
      [newer.sha, "completed", "success"],
    ]);
    expect(runs[0]!.output.summary).toContain(`Cancelled: superseded by ${newer.sha.slice(0, 7)}`);
  });
});

describe("superseded before its run started", () => {
  /** Three commits of one pull request; the first check-run creation waits until `release`, as a write queued behind GitHub's limits does. */
  function threeCommitsWithHeldWrites() {
    const [first, skipped, newest] = ["first", "skipped", "newest"].map((name) => createSampleRepository({ files: { ".github/paddock.yml": FAST_CONFIG, "commit.txt": name } })) as [ReturnType<typeof createSampleRepository>, ReturnType<typeof createSampleRepository>, ReturnType<typeof createSampleRepository>];
    const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": first.sha });
    const owner = opened.repository.owner.login;
    const repo = opened.repository.name;
    fake.setPullRequest({ owner, repo, pullRequest: opened.pull_request });
    for (const sample of [first, skipped, newest]) {
      fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: FAST_CONFIG });
      fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
    }
    const store = createCheckRunStore({ appId: 1, now: () => new Date() });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let creates = 0;
    for (const [route, handler] of Object.entries(store.handlers)) {
      fake.on(route, async (request) => {
        if (route.startsWith("POST") && (creates += 1) === 1) await held;
        return handler(request);
      });
    }
    const synchronize = (sha: string) => patchPayload(opened, { action: "synchronize", "pull_request.head.sha": sha });
    return { first, skipped, newest, opened, synchronize, store, release: () => release() };
  }

  it("gets one cancelled write while writes queue", async () => {
    const { first, skipped, newest, opened, synchronize, store, release } = threeCommitsWithHeldWrites();
    const app = await startApp({ quietMs: 1_500 });

    await app.receive({ name: "pull_request", payload: opened });
    await app.receive({ name: "pull_request", payload: synchronize(skipped.sha) });
    await app.receive({ name: "pull_request", payload: synchronize(newest.sha) });
    release();
    await app.service.onIdle();

    const bySha = new Map(store.list().map((run) => [run.head_sha, run]));
    expect(store.list()).toHaveLength(3);
    expect([first.sha, skipped.sha, newest.sha].map((sha) => [bySha.get(sha)?.status, bySha.get(sha)?.conclusion])).toEqual([
      ["completed", "cancelled"],
      ["completed", "cancelled"],
      ["completed", "success"],
    ]);
    expect(bySha.get(skipped.sha)!.updateCount).toBe(0);
    expect(bySha.get(skipped.sha)!.output.summary).toContain(`Cancelled: superseded by ${newest.sha.slice(0, 7)}`);
    expect(bySha.get(newest.sha)!.output.summary).not.toContain("Not built");
  });

  it("is named when deferred writes back up", async () => {
    const { first, skipped, newest, opened, synchronize, store, release } = threeCommitsWithHeldWrites();
    const app = await startApp({ quietMs: 1_500, maxDeferredWrites: 0 });

    await app.receive({ name: "pull_request", payload: opened });
    await app.receive({ name: "pull_request", payload: synchronize(skipped.sha) });
    await app.receive({ name: "pull_request", payload: synchronize(newest.sha) });
    release();
    await app.service.onIdle();

    expect(store.list().map((run) => [run.head_sha, run.status, run.conclusion])).toEqual([
      [first.sha, "completed", "cancelled"],
      [newest.sha, "completed", "success"],
    ]);
    expect(store.list()[1]!.output.summary).toContain(`Not built, superseded by this commit before their runs started: ${skipped.sha.slice(0, 7)}.`);
  });

  it("gets one write while a step stops", async () => {
    const running = createSampleRepository({ files: { ".github/paddock.yml": SLOW_CONFIG } });
    const [skipped, newest] = ["skipped", "newest"].map((name) => createSampleRepository({ files: { ".github/paddock.yml": FAST_CONFIG, "commit.txt": name } }));
    const opened = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": running.sha });
    const owner = opened.repository.owner.login;
    const repo = opened.repository.name;
    fake.setPullRequest({ owner, repo, pullRequest: opened.pull_request });
    for (const sample of [running, skipped!, newest!]) {
      fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: sample === running ? SLOW_CONFIG : FAST_CONFIG });
      fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
    }
    const app = await startApp({ quietMs: 3_000 });
    const environment = nameEnvironment({ repositoryName: repo, key: { repositoryId: opened.repository.id, pullRequest: opened.pull_request.number } });

    // The second push stops the running step and waits for quiet; the third replaces it.
    await app.receive({ name: "pull_request", payload: opened });
    await waitFor(() => existsSync(join(app.stateDir, "environments", environment, "checkouts", running.sha, "started")), "the slow step to start");
    await app.receive({ name: "pull_request", payload: patchPayload(opened, { action: "synchronize", "pull_request.head.sha": skipped!.sha }) });
    await app.receive({ name: "pull_request", payload: patchPayload(opened, { action: "synchronize", "pull_request.head.sha": newest!.sha }) });
    await app.service.onIdle();

    const runs = fake.checkRuns();
    expect(runs.map((run) => [run.head_sha, run.status, run.conclusion, run.updateCount])).toEqual([
      [running.sha, "completed", "cancelled", 1],
      [skipped!.sha, "completed", "cancelled", 0],
      [newest!.sha, "completed", "success", 1],
    ]);
    expect(runs[1]!.output.summary).toContain(`Cancelled: superseded by ${newest!.sha.slice(0, 7)}`);
    expect(runs[2]!.output.summary).not.toContain("Not built");
  });
});

describe("ignored deliveries", () => {
  it("logs a payload without installation with its delivery id", async () => {
    const app = await startApp();
    const payload = loadWebhookExample({ name: "pull_request", action: "opened" });
    expect(payload.installation).toBeUndefined();

    await app.receive({ name: "pull_request", payload, id: "delivery-no-installation" });
    await app.service.onIdle();

    expect(fake.calls).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "webhook ignored")).toEqual([
      expect.objectContaining({ deliveryId: "delivery-no-installation", reason: "invalid", detail: "payload has no installation, so Paddock cannot act on the repository" }),
    ]);
  });

  it("logs an event Paddock does not handle and keeps working", async () => {
    const app = await startApp();
    const payload = loadWebhookExample({ name: "issues", action: "reopened", withInstallation: true });

    await app.receive({ name: "issues", payload, id: "delivery-issue" });
    await app.service.onIdle();

    expect(fake.calls).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "webhook ignored")).toEqual([
      expect.objectContaining({ deliveryId: "delivery-issue", reason: "unsupported", detail: "event issues.reopened is not handled by Paddock" }),
    ]);
  });

  it("logs a pull request payload with missing fields", async () => {
    const app = await startApp();
    const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head": null });

    await app.receive({ name: "pull_request", payload, id: "delivery-broken" });
    await app.service.onIdle();

    expect(fake.calls).toEqual([]);
    expect(app.logs.filter((line) => line.msg === "webhook ignored")).toEqual([
      expect.objectContaining({ deliveryId: "delivery-broken", reason: "invalid", detail: "pull_request.opened payload is missing or has invalid fields: pull_request.head" }),
    ]);
  });
});
