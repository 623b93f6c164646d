import { afterEach, describe, expect, it } from "vitest";
import { createCheckRunReporter } from "../../src/checks/report-check-run.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createTestProbot } from "../support/probot-harness.ts";
import { finishedStep, makeView } from "./support/check-run-views.ts";

const INSTALLATION_ID = 4242;

describe("createCheckRunReporter with Probot", () => {
  let fake: FakeGitHub | undefined;

  afterEach(() => {
    try {
      fake?.assertNoViolations();
    } finally {
      fake?.close();
    }
  });

  it("reports through an installation client and logger", async () => {
    fake = createFakeGitHub();
    const { probot } = await createTestProbot({ appFn: () => undefined });
    const octokit = await probot.auth(INSTALLATION_ID);
    const reporter = createCheckRunReporter({ octokit, owner: "acme", repo: "web", logger: probot.log.child({ deliveryId: "d-1" }) });
    const view = makeView({ conclusion: "failure", steps: [finishedStep({ name: "test", status: "failure" }, { failures: [{ file: "a.js", line: 2, title: "t", message: "m" }] })] });

    const id = await reporter.start({ ...view, status: "in_progress" });
    await reporter.complete(id, view);

    expect(fake.calls.map((call) => `${call.method} ${call.pathTemplate} ${call.status}`)).toEqual([
      "POST /app/installations/{installation_id}/access_tokens 201",
      "POST /repos/{owner}/{repo}/check-runs 201",
      "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id} 200",
    ]);
    expect(fake.checkRuns()[0]).toMatchObject({ status: "completed", conclusion: "failure", external_id: "pr-12-acme-web-1a2b3c" });
    expect(fake.checkRuns()[0]?.annotations.length).toBe(1);
  });
});
