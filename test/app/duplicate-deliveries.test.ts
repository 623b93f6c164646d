import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";

const CONFIG = "steps:\n  - name: hello\n    run: echo hello\n";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

function servedPayload() {
  const sample = createSampleRepository({ files: { ".github/paddock.yml": CONFIG } });
  // Patched: the head SHA is the sample repository's commit.
  const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
  const owner = payload.repository.owner.login;
  const repo = payload.repository.name;
  fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: CONFIG });
  fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
  fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
  return payload;
}

describe("duplicate deliveries", () => {
  it("ignores the same delivery id twice", async () => {
    const payload = servedPayload();
    const app = await startApp();

    await app.receive({ name: "pull_request", payload, id: "delivery-1" });
    await app.receive({ name: "pull_request", payload, id: "delivery-1" });
    await app.service.onIdle();

    expect(fake.checkRuns()).toHaveLength(1);
    expect(app.logs.filter((line) => line.msg === "webhook ignored").map((line) => line.reason)).toEqual(["duplicate"]);
  });

  it("ignores the same event from a second hook", async () => {
    const payload = servedPayload();
    const app = await startApp();

    await app.receive({ name: "pull_request", payload, id: "hook-a-delivery" });
    await app.receive({ name: "pull_request", payload, id: "hook-b-delivery" });
    await app.service.onIdle();

    expect(fake.checkRuns()).toHaveLength(1);
  });

  it("runs again when a check run is re-requested", async () => {
    const payload = servedPayload();
    const app = await startApp({ quietMs: 10 });
    await app.receive({ name: "pull_request", payload, id: "delivery-opened" });
    await app.service.onIdle();
    const [first] = fake.checkRuns();

    // Patched: the check run, repository and installation of the recorded rerequest point at the run above.
    const rerequest = patchPayload(loadWebhookExample({ name: "check_run", action: "rerequested", withInstallation: true }), {
      "check_run.id": first!.id,
      "check_run.head_sha": payload.pull_request.head.sha,
      "check_run.pull_requests": [{ number: payload.pull_request.number }],
      repository: payload.repository,
      installation: payload.installation,
    });
    await app.receive({ name: "check_run", payload: rerequest, id: "delivery-rerequest" });
    await app.service.onIdle();

    expect(fake.checkRuns().map((run) => [run.head_sha, run.conclusion])).toEqual([
      [payload.pull_request.head.sha, "success"],
      [payload.pull_request.head.sha, "success"],
    ]);
  });
});
