import { existsSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createCheckRunReporter } from "../../src/checks/report-check-run.ts";
import { nameEnvironment } from "../../src/environments/environment-name.ts";
import { createLocalProvider } from "../../src/providers/local/local-provider.ts";
import { createFileGovernance } from "../../src/service/create-governance.ts";
import { createPaddockService } from "../../src/service/paddock-service.ts";
import { INTERRUPTED_HEADLINE } from "../../src/service/recover-runs.ts";
import { createFakeGitHub, type FakeGitHub } from "../support/fake-github.ts";
import { createSampleRepository } from "../support/sample-repository.ts";
import { loadWebhookExample, patchPayload } from "../support/webhook-examples.ts";
import { startApp } from "./app-harness.ts";

const SLOW_CONFIG = "steps:\n  - name: slow\n    run: touch started && sleep 600\n    timeout: 15m\n";

let fake: FakeGitHub;

beforeEach(() => {
  fake = createFakeGitHub();
});

afterEach(() => {
  fake.close();
  fake.assertNoViolations();
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 300 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe("restart recovery", () => {
  it("reports a run that a restart interrupted", async () => {
    const sample = createSampleRepository({ files: { ".github/paddock.yml": SLOW_CONFIG } });
    // Patched: the head SHA is the sample repository's commit.
    const payload = patchPayload(loadWebhookExample({ name: "pull_request", action: "opened", withInstallation: true }), { "pull_request.head.sha": sample.sha });
    const owner = payload.repository.owner.login;
    const repo = payload.repository.name;
    fake.setFile({ owner, repo, ref: sample.sha, path: ".github/paddock.yml", content: SLOW_CONFIG });
    fake.setTarball({ owner, repo, ref: sample.sha, directory: sample.directory, sha: sample.sha });
    fake.setPullRequest({ owner, repo, pullRequest: payload.pull_request });
    const first = await startApp();
    const environment = nameEnvironment({ repositoryName: repo, key: { repositoryId: payload.repository.id, pullRequest: payload.pull_request.number } });
    await first.receive({ name: "pull_request", payload });
    await waitFor(() => existsSync(join(first.stateDir, "environments", environment, "checkouts", sample.sha, "started")));

    // A second process over the same state folder plays the restarted Paddock.
    const logger = pino({ level: "silent" });
    const restarted = createPaddockService({ provider: createLocalProvider({ stateDir: first.stateDir, logger }), logger, governance: createFileGovernance({ stateDir: first.stateDir }) });
    const octokit = await first.probot.auth(payload.installation!.id);
    const recovered = await restarted.recoverRuns({ sinkFor: async () => createCheckRunReporter({ octokit, owner, repo, logger }) });

    const [run] = fake.checkRuns();
    expect(recovered.map((entry) => [entry.environmentName, entry.checkRunId, entry.headSha])).toEqual([[environment, run!.id, sample.sha]]);
    expect(run?.status).toBe("completed");
    expect(run?.conclusion).toBe("cancelled");
    expect(run?.output.summary).toContain(INTERRUPTED_HEADLINE);
    expect(await restarted.recoverRuns({ sinkFor: async () => undefined })).toEqual([]);

    await first.service.shutdown({ timeoutMs: 10_000 });
  });
});
