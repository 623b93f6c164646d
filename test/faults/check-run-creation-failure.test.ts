import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { createPaddockOctokit } from "../../src/github/paddock-octokit.ts";
import { PASSING_CONFIG, WIDGETS, deliverPullRequest, serveWidgets } from "../loopback-github/loopback-fixtures.ts";
import { startLoopbackGitHub, type LoopbackGitHub } from "../loopback-github/loopback-github.ts";
import { LOOPBACK_WEBHOOK_SECRET, startPaddockServer } from "../loopback-github/paddock-server.ts";
import { FAKE_TOKEN_PREFIX } from "../support/fake-github-tokens.ts";
import { ROUTES } from "./support/run-with-faults.ts";

let github: LoopbackGitHub;

beforeEach(async () => {
  github = await startLoopbackGitHub();
});

afterEach(async () => {
  await github.close();
});

describe("check-run creation failure", () => {
  it("logs one error line", async () => {
    const { sha } = serveWidgets(github, { ".github/paddock.yml": PASSING_CONFIG });
    const app = await startPaddockServer({ baseUrl: github.baseUrl, Octokit: createPaddockOctokit({ responseTimeoutMs: 1_000 }) });
    try {
      // 422 is not retried, so the one creation request fails for good.
      github.inject(ROUTES.createCheckRun, { kind: "status", status: 422, message: "Validation Failed" }, 1);
      await deliverPullRequest({ github, app, spec: { headSha: sha }, id: "delivery-create-fails" });
      await app.service.onIdle();
    } finally {
      await app.stop();
    }

    const errors = app.logs.filter((line) => line.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: "check run creation failed", deliveryId: "delivery-create-fails", repo: `${WIDGETS.owner}/${WIDGETS.repo}`, headSha: sha });
    expect((errors[0]!.err as { status?: number }).status).toBe(422);
    expect(github.checkRuns()).toEqual([]);
    const text = JSON.stringify(app.logs);
    expect(text).not.toContain(FAKE_TOKEN_PREFIX);
    expect(text).not.toContain(LOOPBACK_WEBHOOK_SECRET);
    expect(text).not.toContain("PRIVATE KEY");
  });
});
